#!/usr/bin/env bash
# Print the path of a working Python 3.10 interpreter: PATH first, then pyenv. Exit 1 with advice if none.
set -u
candidates=(python3.10)
if command -v pyenv >/dev/null 2>&1; then
  root=$(pyenv root 2>/dev/null)
  candidates+=("$root"/versions/3.10*/bin/python3.10)
fi
candidates+=("$HOME"/.pyenv/versions/3.10*/bin/python3.10 /usr/local/bin/python3.10 /usr/bin/python3.10)
for c in "${candidates[@]}"; do
  # A pyenv shim exists on PATH even when 3.10 is not selected, so run it instead of trusting `command -v`.
  if "$c" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' >/dev/null 2>&1; then
    "$c" -c 'import sys; print(sys.executable)'
    exit 0
  fi
done
cat >&2 <<'MSG'
This project needs Python 3.10 (Rasa 3.6 does not install on 3.11 or newer), and none was found
on PATH or under pyenv. Install one, for example:
    pyenv install 3.10.13        # then run make again
or  apt-get install python3.10 python3.10-venv   (where your distribution has it)
MSG
exit 1
