#!/usr/bin/env bash
# Writes a git repository of N commits (7 authors, one file changed per commit, every 100th a
# rename) with git fast-import, for the benchmark. Usage: git_repo.sh DIR N
set -euo pipefail
DIR=$1; N=$2
rm -rf "$DIR" && git init -q "$DIR"
{
  for ((i = 1; i <= N; i++)); do
    a=$((i % 7)); t=$((1767225600 + i * 60))
    echo "commit refs/heads/main"
    echo "author User $a <u$a@example.com> $t +0000"
    echo "committer User $a <u$a@example.com> $t +0000"
    msg="Change $i"
    echo "data ${#msg}"; echo "$msg"
    if ((i % 100 == 0)); then
      echo "R src/f$(((i - 1) % 50)).py src/g$i.py"
    else
      body="v$i"
      echo "M 100644 inline src/f$((i % 50)).py"; echo "data ${#body}"; echo "$body"
    fi
    echo
  done
} | git -C "$DIR" fast-import --quiet
git -C "$DIR" symbolic-ref HEAD refs/heads/main
