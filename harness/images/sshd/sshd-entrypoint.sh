#!/bin/sh
# A stand-in host: root's authorized key from KH_AUTHORIZED_KEY, sshd in the foreground (pid 1,
# which also reaps the processes the harness starts detached).
set -eu
[ -n "${KH_AUTHORIZED_KEY:-}" ] || { echo "KH_AUTHORIZED_KEY is not set" >&2; exit 2; }
mkdir -p /root/.ssh /run/sshd
printf '%s\n' "$KH_AUTHORIZED_KEY" > /root/.ssh/authorized_keys
chmod 700 /root/.ssh
chmod 600 /root/.ssh/authorized_keys
exec /usr/sbin/sshd -D -e -o PermitRootLogin=prohibit-password -o PasswordAuthentication=no -o UseDNS=no
