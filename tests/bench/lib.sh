# Shell helpers the benchmark scripts share (sourced).

# A loopback port nothing listens on (a refused connection means free).
free_port() {
  local p
  while :; do
    p=$(( 20000 + RANDOM % 40000 ))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return; fi
  done
}
