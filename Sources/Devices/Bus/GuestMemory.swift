/// Guest physical memory as a DMA-capable device sees it (virtio rings and buffers). The simulator's
/// physical memory implements this; writes invalidate predecoded code like any guest store.
public protocol GuestMemory: AnyObject {
    /// Copies `count` bytes at physical address `pa`, or nil if any byte is outside RAM.
    func dmaRead(_ pa: UInt64, count: Int) -> [UInt8]?
    /// Copies `bytes` to `pa`; false if any byte is outside RAM (nothing is written then).
    func dmaWrite(_ pa: UInt64, _ bytes: [UInt8]) -> Bool
}
