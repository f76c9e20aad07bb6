# Sourced: sets KABI (for example 6.1.0-56-amd64) and KDIR from the
# installed linux-headers-amd64 metapackage. Never hard-coded.
KABI=$(dpkg-query -W -f='${Depends}' linux-headers-amd64 2>/dev/null |
	grep -oE 'linux-headers-[0-9][^ ,]*-amd64' | head -n1 | sed 's/^linux-headers-//')
if [ -z "$KABI" ]; then
	echo "linux-headers-amd64 is not installed; run 'make deps'" >&2
	exit 1
fi
KDIR=/usr/src/linux-headers-$KABI
