# Sourced by the load scripts: pg_cluster DIR PORT starts a throwaway PostgreSQL cluster in DIR/pg on 127.0.0.1:PORT
# (Debian's newest server binaries, as the test fixture uses; postgres refuses root, so it runs as user postgres), and
# sets pgbin, pg_port, pg_stop (the command that stops it, for the caller's exit trap) and psql (a client function).
pg_cluster() {
  local dir=$1 as=()
  pg_port=$2
  pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  mkdir -p "$dir/pg"
  if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$dir/pg"; as=(setpriv --reuid=postgres --regid=postgres --clear-groups --); fi
  "${as[@]}" "$pgbin/initdb" -D "$dir/pg/data" -U postgres --auth=trust -E UTF8 --no-locale >/dev/null
  "${as[@]}" "$pgbin/pg_ctl" -D "$dir/pg/data" -l "$dir/pg/log" -w -o "-p $pg_port -k $dir/pg -c listen_addresses=127.0.0.1" start >/dev/null
  pg_stop=("${as[@]}" "$pgbin/pg_ctl" -D "$dir/pg/data" -m fast -w stop)
  psql() { "$pgbin/psql" -h 127.0.0.1 -p "$pg_port" -U postgres -qAt "$@"; }
}
