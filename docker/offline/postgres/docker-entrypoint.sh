#!/usr/bin/env bash
# Entrypoint of the PostgreSQL stand-in. Honours the official postgres image's contract:
# POSTGRES_USER, POSTGRES_PASSWORD (required unless POSTGRES_HOST_AUTH_METHOD=trust),
# POSTGRES_DB, POSTGRES_INITDB_ARGS, POSTGRES_INITDB_WALDIR, POSTGRES_HOST_AUTH_METHOD,
# the *_FILE variants, /docker-entrypoint-initdb.d/*.sh|*.sql|*.sql.gz on first start,
# dropping from root to the postgres user, and exec "$@".
set -Eeo pipefail

# file_env VAR [DEFAULT]: VAR or the content of the file named by VAR_FILE, not both.
file_env() {
  local var="$1" file_var="${1}_FILE" default="${2:-}" value
  if [[ -n ${!var:-} && -n ${!file_var:-} ]]; then
    printf >&2 'error: both %s and %s are set (but are exclusive)\n' "$var" "$file_var"
    exit 1
  fi
  value="$default"
  if [[ -n ${!var:-} ]]; then
    value="${!var}"
  elif [[ -n ${!file_var:-} ]]; then
    value="$(<"${!file_var}")"
  fi
  export "$var"="$value"
  unset "$file_var"
}

postgres_is_sourced() {
  [[ ${#FUNCNAME[@]} -ge 2 && ${FUNCNAME[0]} == postgres_is_sourced && ${FUNCNAME[1]} == source ]]
}

postgres_create_folders() {
  local user
  user="$(id -u)"
  mkdir -p "$PGDATA"
  # Only the owner may read the data folder; postgres refuses to start otherwise.
  chmod 00700 "$PGDATA" || :
  mkdir -p /var/run/postgresql || :
  chmod 03775 /var/run/postgresql || :
  if [[ -n ${POSTGRES_INITDB_WALDIR:-} ]]; then
    mkdir -p "$POSTGRES_INITDB_WALDIR"
    [[ $user == 0 ]] && find "$POSTGRES_INITDB_WALDIR" \! -user postgres -exec chown postgres '{}' +
    chmod 700 "$POSTGRES_INITDB_WALDIR"
  fi
  if [[ $user == 0 ]]; then
    find "$PGDATA" \! -user postgres -exec chown postgres '{}' +
    find /var/run/postgresql \! -user postgres -exec chown postgres '{}' +
  fi
}

postgres_setup_env() {
  file_env POSTGRES_PASSWORD
  file_env POSTGRES_USER postgres
  file_env POSTGRES_DB "$POSTGRES_USER"
  file_env POSTGRES_INITDB_ARGS
  : "${POSTGRES_HOST_AUTH_METHOD:=}"
  DATABASE_ALREADY_EXISTS=
  if [[ -s $PGDATA/PG_VERSION ]]; then
    DATABASE_ALREADY_EXISTS=true
  fi
}

postgres_verify_minimum_env() {
  if [[ -z $POSTGRES_PASSWORD && $POSTGRES_HOST_AUTH_METHOD != trust ]]; then
    cat >&2 <<'MESSAGE'
Error: Database is uninitialized and superuser password is not specified.
       You must specify POSTGRES_PASSWORD to a non-empty value for the
       superuser. For example, "-e POSTGRES_PASSWORD=password" on "docker run".
       Or set POSTGRES_HOST_AUTH_METHOD=trust to allow all connections without
       a password (not recommended).
MESSAGE
    exit 1
  fi
}

postgres_init_database_dir() {
  local -a args=(--username="$POSTGRES_USER")
  if [[ -n ${POSTGRES_INITDB_WALDIR:-} ]]; then
    args+=(--waldir "$POSTGRES_INITDB_WALDIR")
  fi
  # POSTGRES_INITDB_ARGS is word-split on purpose, as in the official image.
  # shellcheck disable=SC2086
  # The process substitution must be on the command itself: its fd closes after the statement.
  initdb "${args[@]}" --pwfile=<(printf '%s\n' "$POSTGRES_PASSWORD") $POSTGRES_INITDB_ARGS
}

postgres_setup_hba_conf() {
  # "$@" is the server command line; drop the program name to pass its options to postgres -C.
  if [[ ${1:-} == postgres ]]; then shift; fi
  local auth="${POSTGRES_HOST_AUTH_METHOD:-}"
  if [[ -z $auth ]]; then
    auth="$(postgres -C password_encryption "$@")"
  fi
  {
    printf '\n'
    if [[ $auth == trust ]]; then
      printf '# warning trust is enabled for all connections\n'
    fi
    printf 'host all all all %s\n' "$auth"
  } >>"$PGDATA/pg_hba.conf"
}

# Until initialisation is finished the server listens on the unix socket only, so a TCP
# health check (pg_isready -h 127.0.0.1) stays red meanwhile.
postgres_temp_server_start() {
  if [[ ${1:-} == postgres ]]; then shift; fi
  set -- "$@" -c listen_addresses='' -p "${PGPORT:-5432}"
  PGUSER="${PGUSER:-$POSTGRES_USER}" pg_ctl -D "$PGDATA" -o "$(printf '%q ' "$@")" -w start
}

postgres_temp_server_stop() {
  PGUSER="${PGUSER:-postgres}" pg_ctl -D "$PGDATA" -m fast -w stop
}

postgres_psql() {
  PGHOST='' PGHOSTADDR='' psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --no-password --no-psqlrc "$@"
}

postgres_create_db() {
  if [[ $POSTGRES_DB == postgres ]]; then
    return
  fi
  local exists
  exists="$(postgres_psql --dbname postgres --set db="$POSTGRES_DB" --tuples-only \
    <<<"SELECT 1 FROM pg_database WHERE datname = :'db' ;")"
  if [[ -z $exists ]]; then
    postgres_psql --dbname postgres --set db="$POSTGRES_DB" <<<'CREATE DATABASE :"db" ;'
    printf '\n'
  fi
}

postgres_process_init_files() {
  local file
  printf '\n'
  for file in "$@"; do
    case "$file" in
      *.sh)
        if [[ -x $file ]]; then
          printf '%s: running %s\n' "$0" "$file"
          "$file"
        else
          printf '%s: sourcing %s\n' "$0" "$file"
          # shellcheck disable=SC1090
          . "$file"
        fi
        ;;
      *.sql) printf '%s: running %s\n' "$0" "$file"; postgres_psql --dbname "$POSTGRES_DB" -f "$file"; printf '\n' ;;
      *.sql.gz) printf '%s: running %s\n' "$0" "$file"; gunzip -c "$file" | postgres_psql --dbname "$POSTGRES_DB"; printf '\n' ;;
      *) printf '%s: ignoring %s\n' "$0" "$file" ;;
    esac
  done
}

postgres_main() {
  # "docker run image -c foo=bar" means "postgres -c foo=bar".
  if [[ ${1:0:1} == - ]]; then
    set -- postgres "$@"
  fi

  if [[ $1 == postgres ]] && ! postgres_want_help "$@"; then
    postgres_setup_env
    postgres_create_folders
    if [[ $(id -u) == 0 ]]; then
      exec setpriv --reuid=postgres --regid=postgres --init-groups "${BASH_SOURCE[0]}" "$@"
    fi

    if [[ -z $DATABASE_ALREADY_EXISTS ]]; then
      postgres_verify_minimum_env
      ls /docker-entrypoint-initdb.d/ >/dev/null
      postgres_init_database_dir
      postgres_setup_hba_conf "$@"
      export PGPASSWORD="${PGPASSWORD:-$POSTGRES_PASSWORD}"
      postgres_temp_server_start "$@"
      postgres_create_db
      postgres_process_init_files /docker-entrypoint-initdb.d/*
      postgres_temp_server_stop
      unset PGPASSWORD
      printf '\nPostgreSQL init process complete; ready for start up.\n\n'
    else
      printf '\nPostgreSQL Database directory appears to contain a database; Skipping initialization\n\n'
    fi
  fi

  exec "$@"
}

postgres_want_help() {
  local arg
  for arg; do
    case "$arg" in
      -'?' | --help | --describe-config | -V | --version) return 0 ;;
    esac
  done
  return 1
}

if ! postgres_is_sourced; then
  postgres_main "$@"
fi
