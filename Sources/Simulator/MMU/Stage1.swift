/// Stage-1 translation table walks (Arm ARM D5.2 "The VMSAv8-64 address translation system").
extension Core {
    /// Walks the stage-1 tables for the current regime. Not yet implemented: the machine stops
    /// with a simulator-limitation error rather than pretending the access succeeded.
    func stage1Walk(_ va: UInt64, _ access: AccessType, asEL0: Bool) -> Result<Translation, TranslationFailure> {
        machine.limitation("stage-1 translation with the MMU on (SCTLR_EL\(max(state.pointee.el, 1)).M=1) is not implemented yet", core: self)
        return .failure(.fault(Fault(status: 0x04, address: va, write: access == .write)))
    }
}
