#!/usr/bin/env bash
# Runs the README's set-up commands in a fresh, minimal Debian 12 (bookworm) root, the way a new
# user would on a fresh machine: catches any package the project needs but does not install.
#
#   tools/fresh_root_check.sh [--run test|default|both] [--keep] [--cache DIR] [--rebuild-base]
#                             [--ccache DIR] [--steps "STEP..."]
#
#   --run test      tools/run_tests.sh (the default; what CI runs)
#   --run default   tools/run_default.sh
#   --run both      tools/run_default.sh, then tools/run_tests.sh
#   --keep          keep the root afterwards (its path is printed); default: delete it
#   --cache DIR     where the pristine base tarball is cached (default /var/cache/flowfit-fresh-root)
#   --rebuild-base  build the base again even when a cached one exists
#   --ccache DIR    share this ccache directory with the root (faster reruns; default: none, cold)
#   --steps LIST    with --run test: only these tools/run_tests.sh steps (default: all of them)
#
# The root is Debian's "minbase" variant (only Essential packages and apt: no compiler, no cmake,
# no python; stricter than a fresh installation, like the debian:12 container image), built with
# mmdebstrap (or debootstrap) from the Debian archive that apt on this machine uses. Only
# committed content is tested: the root gets a git clone of this checkout's HEAD. /proc, /sys and
# /dev are mounted into the root and always unmounted again (trap on exit, error and interrupt).
# Needs root (chroot, mount) and network access to the archive.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
run=test
keep=0
cache=/var/cache/flowfit-fresh-root
rebuild_base=0
ccache_dir=
steps=
suite=bookworm

usage() { sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; }
while (($#)); do
  case $1 in
    --run) run=${2:?--run needs test, default or both}; shift 2 ;;
    --run=*) run=${1#--run=}; shift ;;
    --keep) keep=1; shift ;;
    --no-keep) keep=0; shift ;;
    --cache) cache=${2:?}; shift 2 ;;
    --rebuild-base) rebuild_base=1; shift ;;
    --ccache) ccache_dir=${2:?}; shift 2 ;;
    --steps) steps=${2:?--steps needs a list of tools/run_tests.sh steps}; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "fresh_root_check: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
done
case $run in
  test) commands=("tools/run_tests.sh${steps:+ $steps}") ;;
  default) commands=(tools/run_default.sh) ;;
  both) commands=(tools/run_default.sh tools/run_tests.sh) ;;
  *) echo "fresh_root_check: --run must be test, default or both (got '$run')" >&2; exit 2 ;;
esac
if [[ $(id -u) -ne 0 ]]; then
  echo "fresh_root_check: must run as root (it uses chroot and mount)" >&2
  exit 2
fi

log() { printf '[fresh-root %(%H:%M:%S)T] %s\n' -1 "$*"; }
timings=()
timed() {  # label, command...: runs it and records its wall time
  local label=$1 start=$SECONDS rc=0
  shift
  "$@" || rc=$?
  timings+=("$(printf '%-44s %5d s' "$label" $((SECONDS - start)))")
  log "$label: $((SECONDS - start)) s (exit $rc)"
  return $rc
}

# ---- the pristine base, cached as a tarball ---------------------------------------------------
base=$cache/$suite-minbase.tar
# The sources apt uses here (Debian's archive as configured on this machine), pasted into the root.
host_sources=()
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
  [[ -s $f ]] && grep -q 'debian' "$f" && host_sources+=("$f")
done

build_base() {
  mkdir -p "$cache"
  local tmp="$base.partial"
  rm -f "$tmp"
  # The tool that builds the root is a host dependency of this check: install it like the rest.
  if ! command -v mmdebstrap >/dev/null && ! command -v debootstrap >/dev/null; then
    log "installing mmdebstrap (apt-get)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends mmdebstrap >&2 ||
      { apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y \
          --no-install-recommends mmdebstrap >&2; } || true
  fi
  if command -v mmdebstrap >/dev/null; then
    # The temporary name does not end in .tar: the format is given, not guessed from it.
    mmdebstrap --mode=root --format=tar --variant=minbase "$suite" "$tmp" "${host_sources[@]}"
  elif command -v debootstrap >/dev/null; then
    local dir
    dir=$(mktemp -d /var/tmp/flowfit-debootstrap.XXXXXX)
    debootstrap --variant=minbase "$suite" "$dir" http://deb.debian.org/debian
    rm -rf "$dir/var/lib/apt/lists/"* "$dir/var/cache/apt/archives/"*.deb
    tar -C "$dir" -cf "$tmp" .
    rm -rf "$dir"
  else
    echo "fresh_root_check: needs mmdebstrap or debootstrap (apt-get install mmdebstrap)" >&2
    return 1
  fi
  mv "$tmp" "$base"
}

if ((rebuild_base)) || [[ ! -s $base ]]; then
  timed "base root (mmdebstrap, cold)" build_base
else
  log "using cached base $base"
fi

# ---- the root: base + apt configuration + a fresh clone ---------------------------------------
root=$(mktemp -d /var/tmp/flowfit-fresh-root.XXXXXX)
mounts=()
cleanup() {
  local rc=$? m
  trap - EXIT INT TERM
  if [[ -n ${child:-} ]]; then
    kill -TERM -- "-$child" 2>/dev/null || true
    wait "$child" 2>/dev/null || true
  fi
  for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do
    m=${mounts[i]}
    umount -R "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || echo "fresh_root_check: cannot unmount $m" >&2
  done
  if ((keep)); then
    log "root kept at $root"
  elif findmnt -R "$root" >/dev/null 2>&1; then
    echo "fresh_root_check: $root still has mounts; not deleting it" >&2
  else
    rm -rf --one-file-system "$root"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

timed "extract cached base" tar -C "$root" -xf "$base"

# apt inside the root reaches the same archive as apt here: the same sources, name resolution and
# download settings (Acquire::* snippets such as proxies or snapshot validity).
rm -f "$root"/etc/apt/sources.list "$root"/etc/apt/sources.list.d/*
for f in "${host_sources[@]}"; do
  cp "$f" "$root/etc/apt/sources.list.d/host-$(basename "$f")"
done
for f in /etc/apt/apt.conf.d/*; do
  [[ -f $f ]] || continue
  if ! grep -v -E '^[[:space:]]*(//|#|$)' "$f" | grep -q -v -E '^[[:space:]]*Acquire::'; then
    cp "$f" "$root/etc/apt/apt.conf.d/"
  fi
done
cp -L /etc/resolv.conf "$root/etc/resolv.conf"

head=$(git -C "$repo" rev-parse HEAD)
if [[ -n $(git -C "$repo" status --porcelain --untracked-files=no) ]]; then
  log "note: uncommitted changes in $repo are NOT tested (only HEAD $head is cloned)"
fi
git clone --quiet --no-checkout "$repo" "$root/root/flowfit"
git -C "$root/root/flowfit" checkout --quiet --detach "$head"
log "cloned $head into $root/root/flowfit"

mount_into() {  # how, source, target inside the root
  mkdir -p "$root$3"
  mount $1 "$2" "$root$3"
  mounts+=("$root$3")
}
mount_into "-t proc" proc /proc
mount_into "-t sysfs" sysfs /sys
# The control groups as a booted Debian has them (slurmd, in the SLURM array test, refuses to
# start without them); recursive, and private to the root so unmounting touches only its copy.
if [[ -d /sys/fs/cgroup ]] && mountpoint -q /sys/fs/cgroup; then
  mount_into --rbind /sys/fs/cgroup /sys/fs/cgroup
  mount --make-rslave "$root/sys/fs/cgroup"
fi
mount_into --bind /dev /dev
mount_into --bind /dev/pts /dev/pts
mount_into --bind /dev/shm /dev/shm
ccache_env=()
if [[ -n $ccache_dir ]]; then
  mkdir -p "$ccache_dir"
  mount_into --bind "$ccache_dir" /var/cache/flowfit-ccache
  ccache_env=(CCACHE_DIR=/var/cache/flowfit-ccache)
fi

# The command runs in its own process group so that an interrupt can stop all of it before the
# mounts go away.
child=
in_root() {  # command line, run in the clone inside the root with a clean environment
  setsid chroot "$root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM="${TERM:-dumb}" \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "${ccache_env[@]}" \
    /bin/bash -c "cd /root/flowfit && $1" &
  child=$!
  local rc=0
  wait "$child" || rc=$?
  child=
  return $rc
}

if in_root 'command -v cmake || command -v g++ || command -v c++ || command -v python3' >/dev/null; then
  echo "fresh_root_check: the base root is not minimal (it already has a compiler, cmake or python)" >&2
  exit 1
fi

status=0
for c in "${commands[@]}"; do
  log "running $c in the fresh root"
  timed "$c (in the fresh root)" in_root "$c" || { status=$?; break; }
done

log "summary (commit $head):"
printf '  %s\n' "${timings[@]}"
if ((status == 0)); then
  log "PASSED: ${commands[*]} in a fresh Debian 12 root"
else
  log "FAILED (exit $status): see the output above"
fi
exit "$status"
