# A hung guest (run with DMAE_QEMU_ARGS=-s): where each vCPU is, its code
# and stack, and whether its PC moves over 200 steps.
#   gdb -q -batch -x vm/hang-dump.gdb
set pagination off
set architecture i386:x86-64
target remote :1234
info threads
thread 1
info registers
x/30i $pc-40
x/80gx $rsp
thread 2
info registers
x/30i $pc-40
x/80gx $rsp
thread 1
stepi 200
info registers rip
thread 2
info registers rip
detach
