import HVArch

/// A spinlock over one word of C storage (Support/runtime.c), so it exists
/// before the heap does. Slot 0 belongs to the heap.
struct Spinlock {
    let word: UnsafeMutablePointer<UInt32>
    init(slot: UInt32) { word = hv_lock_word(slot) }
    func lock() { Arch.lock(word) }
    func unlock() { Arch.unlock(word) }
    func locked<T>(_ body: () -> T) -> T {
        lock(); defer { unlock() }
        return body()
    }
}

/// Serialises console lines from all CPUs.
let consoleLock = Spinlock(slot: 1)
/// The hypervisor's state (VMs, vCPUs, schedulers, virtual devices): one lock,
/// taken on every guest exit. Exits are short, and there are few CPUs.
let bigLock = Spinlock(slot: 2)
