/// Gives the program's temporaries shared buffers: a value that is dead by
/// the time another is written lends it its buffer. Runs last, on the final
/// instruction order.
///
/// - Liveness: a temporary lives from the instruction that writes it to the
///   last one that reads it (an `assign` reads its source, so an update's
///   value stays alive until copied); program outputs live to the end.
/// - Reuse: each new value takes the best-fitting buffer whose values are all
///   dead (the smallest one large enough, else the largest grown to fit),
///   and only then a new buffer.
/// - In place: an elementwise instruction writes into the buffer of an
///   input with as many elements that dies at that instruction. Inputs,
///   parameters, state, captured tensors and constants are never planned, so
///   never overwritten. A `reshape` of a planned value shares its buffer
///   (no copy at all); the buffer then lives as long as either value.
///
/// A fused kernel counts as elementwise only with a single output computed
/// by its last step: each block of its inputs is then read before that block
/// of the output is written, as in-place writing needs.
struct MemoryPlanner: Pass {
  let name = "memory-plan"

  func run(_ program: inout Program) {
    program.memoryPlan = MemoryPlanner.plan(program)
  }

  /// The plan for `program`'s instructions in their current order.
  static func plan(_ program: Program) -> MemoryPlan {
    let values = program.values
    let lastUse = lastUses(program)
    var buffer = [Int?](repeating: nil, count: values.count)
    var sizes: [Int] = []
    // The last instruction that reads any value held by each buffer.
    var busyUntil: [Int] = []
    // The buffers whose `busyUntil` was set to each instruction index (an
    // entry is stale when it has moved on since); free from the next one.
    var releases = [[Int]](repeating: [], count: program.instructions.count + 1)
    var free = FreeBuffers()

    for (index, instruction) in program.instructions.enumerated() {
      if index > 0 {
        for b in releases[index - 1] where busyUntil[b] == index - 1 { free.insert(b, size: sizes[b]) }
        releases[index - 1] = []
      }
      for value in instruction.outputs where values[value].role == .temporary && buffer[value] == nil {
        let count = values[value].shape.count
        let chosen: Int
        if let shared = sharedBuffer(for: instruction, index: index, count: count, buffer, busyUntil, values) {
          chosen = shared
        } else if let taken = free.takeBestFit(count) {
          chosen = taken
          sizes[taken] = max(sizes[taken], count)
        } else {
          chosen = sizes.count
          sizes.append(count)
          busyUntil.append(index)
        }
        buffer[value] = chosen
        busyUntil[chosen] = max(busyUntil[chosen], lastUse[value])
        if busyUntil[chosen] < releases.count { releases[busyUntil[chosen]].append(chosen) }
      }
    }
    let naive = values.indices.filter { buffer[$0] != nil }.reduce(0) { $0 + values[$1].shape.count }
    let elementSize = MemoryLayout<Float>.stride
    return MemoryPlan(
      buffer: buffer, bufferSizes: sizes, peakBytes: sizes.reduce(0, +) * elementSize,
      naiveBytes: naive * elementSize)
  }

  /// The index of the last instruction reading each value; the instruction
  /// count for program outputs; the writing instruction for values never read.
  static func lastUses(_ program: Program) -> [Int] {
    var lastUse = [Int](repeating: -1, count: program.values.count)
    for (index, instruction) in program.instructions.enumerated() {
      for value in instruction.inputs + instruction.outputs { lastUse[value] = index }
    }
    for value in program.outputs { lastUse[value] = program.instructions.count }
    return lastUse
  }

  /// A buffer the instruction's output can share with an input: the input's
  /// own for a reshape, or, for an elementwise instruction, that of an input
  /// of the same size whose buffer is read for the last time here.
  private static func sharedBuffer(
    for instruction: Instruction, index: Int, count: Int, _ buffer: [Int?], _ busyUntil: [Int], _ values: [Value]
  ) -> Int? {
    if instruction.operation == .reshape {
      return buffer[instruction.inputs[0]]
    }
    guard instruction.outputs.count == 1, writesInPlace(instruction.operation) else { return nil }
    for input in instruction.inputs {
      if let shared = buffer[input], busyUntil[shared] == index, values[input].shape.count == count {
        return shared
      }
    }
    return nil
  }

  /// Whether an operation reads each element of a same-sized input before
  /// writing that element of its output, and no other.
  static func writesInPlace(_ operation: Operation) -> Bool {
    if operation.isElementwise { return true }
    if case .fused(let kernel) = operation {
      return kernel.outputs == [kernel.inputCount + kernel.steps.count - 1]
    }
    return false
  }
}

/// The buffers all of whose values are dead, by size.
private struct FreeBuffers {
  /// For each size, its free buffers as a min-heap of indices (sizes with
  /// none are removed).
  private var bySize: [Int: [Int]] = [:]
  private var isFree: Set<Int> = []

  mutating func insert(_ buffer: Int, size: Int) {
    guard isFree.insert(buffer).inserted else { return }
    var heap = bySize.removeValue(forKey: size) ?? []  // held once: appending copies nothing
    heap.append(buffer)
    var child = heap.count - 1
    while child > 0 {
      let parent = (child - 1) / 2
      if heap[parent] <= heap[child] { break }
      heap.swapAt(parent, child)
      child = parent
    }
    bySize[size] = heap
  }

  /// Takes the free buffer that fits `count` elements most tightly (the
  /// smallest large enough), else the largest (to be grown), the lowest
  /// index among equals; nil when none is free. Looks at each distinct free
  /// size once: programs have few.
  mutating func takeBestFit(_ count: Int) -> Int? {
    var fitting: Int?
    var largest: Int?
    for size in bySize.keys {
      if size >= count && size < (fitting ?? Int.max) { fitting = size }
      if size > (largest ?? Int.min) { largest = size }
    }
    guard let size = fitting ?? largest, var heap = bySize.removeValue(forKey: size) else { return nil }
    let taken = heap[0]
    heap[0] = heap[heap.count - 1]
    heap.removeLast()
    var parent = 0
    while true {
      let (left, right) = (2 * parent + 1, 2 * parent + 2)
      var smallest = parent
      if left < heap.count && heap[left] < heap[smallest] { smallest = left }
      if right < heap.count && heap[right] < heap[smallest] { smallest = right }
      if smallest == parent { break }
      heap.swapAt(parent, smallest)
      parent = smallest
    }
    if !heap.isEmpty { bySize[size] = heap }
    isFree.remove(taken)
    return taken
  }
}
