# Not a test of the copy service: the guest half of tests/hang-guard.sh,
# which checks run-vm.sh's hang guard. It says it got here, then hangs
# (outside "all", which runs only numbered files in the suite folders).
echo "# hang-selftest: hanging"
sleep 100000
