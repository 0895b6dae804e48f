// Check results, kept the same way by every guest that lists this file: a check's expectations
// keep the first failure, which becomes its FAIL line; the run ends with the counts.

var passed: UInt64 = 0
var failed: UInt64 = 0

var checkFailed = false
var failWhat: StaticString = ""
var failGot: UInt64 = 0
var failWant: UInt64 = 0

/// Only the first failure of a check is kept: later ones often just follow from it.
func fail(_ what: StaticString, got: UInt64, want: UInt64) {
    if checkFailed { return }
    checkFailed = true
    failWhat = what
    failGot = got
    failWant = want
}

func expect(_ what: StaticString, _ got: UInt64, _ want: UInt64) {
    if got != want { fail(what, got: got, want: want) }
}

/// `got` is at least `low` (the want printed is the bound).
func expectAtLeast(_ what: StaticString, _ got: UInt64, _ low: UInt64) {
    if got < low { fail(what, got: got, want: low) }
}

/// `got` is below `high` (the want printed is the bound).
func expectBelow(_ what: StaticString, _ got: UInt64, _ high: UInt64) {
    if got >= high { fail(what, got: got, want: high) }
}

/// `ok` holds (the want printed is 1, the got is `got`).
func expectTrue(_ what: StaticString, _ ok: Bool, got: UInt64) {
    if !ok { fail(what, got: got, want: 1) }
}

/// Count the check that just ran: "PASS <name>", or "FAIL <name>: <what>: got <x>, want <y>".
func report(_ name: StaticString) {
    if checkFailed {
        failed &+= 1
        write("FAIL "); write(name); write(": "); write(failWhat)
        write(": got "); writeHex(failGot); write(", want "); writeHex(failWant); write("\n")
    } else {
        passed &+= 1
        write("PASS "); write(name); write("\n")
    }
    checkFailed = false                                     // the next check starts clean
}

/// A check this run cannot do: "SKIP <name>", counted neither way.
func skip(_ name: StaticString) {
    write("SKIP "); write(name); write("\n")
}

/// The last line, which the test scripts look for: "<guest>: N passed, M failed".
func writeSummary(_ guest: StaticString) {
    write(guest); write(": "); writeDecimal(passed); write(" passed, "); writeDecimal(failed); write(" failed\n")
}
