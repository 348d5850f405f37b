#!/usr/bin/env bash
# Fails if src/ parses a ledger entry back by field name (`fields.at(`, `fields.find(`), builds
# one from a bare type and field map instead of its typed record (src/events/audit_records.h), or
# spells an alert kind as a string anywhere but its name table (src/events/names.cc). "break-glass" is also the name of
# an access decision (access/policy.cc), which events carry as their reason: it is not counted.
# Also fails if ledger/ reaches past the store interface it owns (store/ledger_store.h; the
# signed head also reads devices' sequence numbers): verification, which cross-checks the ledger
# against everything it covers, lives in admin/.
set -euo pipefail
src="$1"
status=0
if grep -rn 'fields\.at(\|fields\.find(' "$src" | grep -v "^$src/events/"; then
  echo "ledger entries parsed back by field name (use events::As<the typed record>)" >&2
  status=1
fi
if grep -rn 'AuditType::k[A-Za-z]*,' "$src" | grep -v "^$src/events/"; then
  echo "ledger entries built from a bare type (use events::Record(time, the typed record))" >&2
  status=1
fi
kinds=$(grep -o '{K::k[A-Za-z]*, "[a-z-]*"}' "$src/events/names.cc" | sed -E 's/.*"([a-z-]+)".*/\1/')
[ -n "$kinds" ] || { echo "no alert kinds found in $src/events/names.cc" >&2; exit 1; }
for kind in $kinds; do
  [ "$kind" = break-glass ] && continue
  # Code lines only: comments may name a kind.
  if grep -rn --include='*.cc' --include='*.h' "\"$kind\"" "$src" | grep -v "^$src/events/names.cc:" |
     grep -v '^[^:]*:[0-9]*: *//'; then
    echo "alert kind \"$kind\" spelled outside src/events/names.cc" >&2
    status=1
  fi
done
for path in "$src"/ledger/*; do
  f=$(basename "$path")
  allowed='store/ledger_store.h\|store/reading_rows.h'
  case $f in  # the signed head records each device's sequence numbers
    signed_head.h | checkpointer.h) allowed="$allowed\\|store/device_registry.h" ;;
  esac
  if grep -n '#include "store/' "$path" | grep -v "$allowed"; then
    echo "src/ledger/$f reaches past store/ledger_store.h" >&2
    status=1
  fi
done
exit $status
