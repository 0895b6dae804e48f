# Test units: the slices a regression suite is cut into, so scripts/regress.py can run them in
# parallel (--jobs) or on other machines (--shard). Sourced by the suite scripts; a suite marks each
# slice with `if unit NAME; then ...; fi`. A unit owns its temporary files and reads shared inputs
# only, so units may run in any grouping; names are single words, unique within the suite.
#   REGRESS_LIST=1       the listing pass: print `UNIT NAME` for every unit and run none. Suites
#                        build what all units share there (serially), before listing.
#   REGRESS_UNITS="a b"  run only these units (unset: all of them, in order).

listing() { [ -n "${REGRESS_LIST:-}" ]; }

unit() {
  if listing; then echo "UNIT $1"; return 1; fi
  [ -z "${REGRESS_UNITS+set}" ] && return 0
  case " $REGRESS_UNITS " in *" $1 "*) return 0 ;; esac
  return 1
}
