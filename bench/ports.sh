# Sourced by the bench scripts that start servers on 127.0.0.1 (bash's /dev/tcp: no python needed).

# free_port: a port nothing answers on, below Linux's ephemeral range. The bench's own clients
# (storescu, echoscu) take their source ports from that range, and a port a connection holds, even
# one in TIME-WAIT, cannot be bound (EADDRINUSE), which connecting to it does not reveal: bench/ingest
# lost one run in eight that way.
free_port() {
  local low p
  low=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
  [ "$low" -gt 11000 ] 2>/dev/null || low=32768
  while :; do
    p=$((10000 + RANDOM % (low - 10000)))
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
}

# wait_echo AE PORT: true once a C-ECHO to AE on PORT succeeds, false after 10 s.
wait_echo() {
  for _ in $(seq 1 200); do
    echoscu -aec "$1" 127.0.0.1 "$2" 2>/dev/null && return 0
    sleep 0.05
  done
  return 1
}
