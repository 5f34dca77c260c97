import Synchronization

// How a fused evaluation reads its inputs and where each step writes: the
// plan, settled once per instruction, and the scratch layout it owns.
extension FusedEvaluator {
  /// How one kernel input is read, block by block.
  enum Source {
    /// Laid out like the kernel's shape: read in place.
    case contiguous(UnsafePointer<Float>)
    /// Repeats every `period` elements of the flat index: read from a tile
    /// (at `tile` in the scratch) made once per run.
    case tiled(UnsafePointer<Float>, period: Int, tile: Int)
    /// Anything else: gathered per block through the strides at `strides`.
    case strided(UnsafePointer<Float>, strides: Int)
  }

  /// A step with its registers resolved, free of references.
  struct PlainStep {
    enum Kind {
      case unary(UnaryFunction)
      case binary(BinaryFunction)
      case select
    }
    var kind: Kind
    var arguments: (Int, Int, Int)
    /// The output this step writes straight into, or -1 for the scratch.
    var direct: Int
    /// Where in the scratch it writes otherwise: slots are reused once the
    /// value in them is read for the last time, so the block's working set
    /// stays small (in L1) however long the kernel.
    var slot: Int = 0
  }

  /// Everything a fused evaluation works out from its buffers and shapes,
  /// settled once: how each input is read, each step's registers, which
  /// outputs a step writes in place, and the scratch (registers, tiles,
  /// gather strides) it owns. The interpreter keeps one per instruction, so
  /// a run allocates nothing; eager mode makes one per call. A plan serves
  /// one evaluation at a time (its scratch is shared).
  final class Plan: @unchecked Sendable {
    let shape: Shape
    let total: Int
    let inputCount: Int
    let blockLength: Int
    let sources: [Source]
    let steps: [PlainStep]
    /// Kernel output `j`'s register.
    let outputRegisters: [Int]
    let outputs: [UnsafeMutablePointer<Float>]
    /// Whether outputs are computed in the scratch and streamed out (see
    /// ``FusedEvaluator/streamingBytes``) rather than written in place.
    let streams: Bool
    /// Whether output 0 goes to a reducer instead of memory.
    let reducingFirst: Bool
    /// How many threads share the blocks (1 below
    /// ``Parallel/minimumElements``, or with a reducer that cannot split);
    /// each lane has its own registers, rows and gather counter.
    let lanes: Int
    /// Elements in a chunk of a split evaluation: whole ``BlockedSum``
    /// blocks, about eight chunks a lane, at most 16 blocks (256 KiB of
    /// each input).
    let chunkLength: Int
    /// The next chunk to take, during a split evaluation.
    let nextChunk = Atomic<Int>(0)
    let registerCount: Int
    /// Pointers between one lane's rows and the next's: whole pairs of
    /// cache lines, so lanes never write to the same line (each lane
    /// rewrites its rows every step; sharing a line cost a third of the
    /// forward of B3 on two cores).
    let rowStride: Int
    /// Integers between one lane's gather counter and the next's (likewise).
    let counterStride: Int
    /// Floats between one lane's scratch and the next's (likewise).
    let scratchStride: Int
    /// Scratch rows per lane: one per input (gathered ones use theirs), then the steps' slots.
    let slotCount: Int
    let rank: Int
    /// Gather strides (`rank` per gathered input), then each lane's gather index counter (`rank`).
    let integers: UnsafeMutablePointer<Int>
    let counter: UnsafeMutablePointer<Int>
    /// Each lane's registers (`registers × blockLength`), then the tiles.
    let scratch: UnsafeMutablePointer<Float>
    let tiles: UnsafeMutablePointer<Float>
    /// The current block's row per register, per lane.
    let rows: UnsafeMutablePointer<UnsafePointer<Float>>

    /// The plan of `kernel` over `shape`, input `k` being `inputs[k]` shaped
    /// `inputShapes[k]` (broadcast to `shape`), kernel output `j` going to
    /// `outputs[j]` (output 0 to a reducer when `reducingFirst`; one that
    /// takes its blocks from several lanes when `splitsReduction`).
    ///
    /// An output may be the buffer of an input (the epilogue's product): such
    /// outputs are written only after the whole block is computed.
    init(
      _ kernel: FusedKernel, _ shape: Shape, _ inputs: [UnsafePointer<Float>], _ inputShapes: [Shape],
      outputs: [UnsafeMutablePointer<Float>], reducingFirst: Bool = false, splitsReduction: Bool = false,
      streamingBytes: Int = FusedEvaluator.streamingBytes
    ) {
      let total = shape.count
      let (inputCount, stepCount, rank) = (kernel.inputCount, kernel.steps.count, shape.rank)
      let registers = inputCount + stepCount
      let blockLength = max(1, min(FusedEvaluator.blockSize, total))
      let serial = reducingFirst && !splitsReduction
      let lanes = serial || total < Parallel.minimumElements ? 1 : Parallel.threadCount
      let counterStride = FusedEvaluator.padded(rank, MemoryLayout<Int>.stride)
      let stridesLength = FusedEvaluator.padded(inputCount * rank, MemoryLayout<Int>.stride)
      integers = FusedEvaluator.allocateLines(stridesLength + lanes * counterStride)
      counter = integers + stridesLength
      var sources: [Source] = []
      var tileFloats = 0
      var gathered = 0
      for k in 0..<inputCount {
        let (data, inputShape) = (inputs[k], inputShapes[k])
        if inputShape.count == total {
          sources.append(.contiguous(data))
        } else if let period = FusedEvaluator.period(of: inputShape, in: shape), period <= FusedEvaluator.largestTile {
          sources.append(.tiled(data, period: period, tile: tileFloats))
          tileFloats += blockLength + period - 1
        } else {
          FusedEvaluator.writeBroadcastStrides(of: inputShape, to: shape, into: integers + gathered * rank)
          sources.append(.strided(data, strides: gathered * rank))
          gathered += 1
        }
      }
      var steps: [PlainStep] = []
      for step in kernel.steps {
        let a = step.arguments
        let arguments = (a[0], a.count > 1 ? a[1] : 0, a.count > 2 ? a[2] : 0)
        let kind: PlainStep.Kind
        switch step.operation {
        case .unary(let f): kind = .unary(f)
        case .binary(let f): kind = .binary(f)
        case .select: kind = .select
        default: preconditionFailure("fused kernel holds a non-elementwise \(step.operation.name)")
        }
        steps.append(PlainStep(kind: kind, arguments: arguments, direct: -1))
      }
      // A step whose register is an output writes straight into it,
      // unless that output shares memory with an input, or is streamed.
      let streams = total * MemoryLayout<Float>.stride >= streamingBytes
      for (j, register) in kernel.outputs.enumerated() where register >= inputCount && !streams {
        if reducingFirst && j == 0 { continue }
        let target = UnsafePointer(outputs[j])
        let shared = sources.contains { source in
          switch source {
          case .contiguous(let data), .strided(let data, _): data == target
          case .tiled: false
          }
        }
        if !shared && steps[register - inputCount].direct < 0 { steps[register - inputCount].direct = j }
      }
      let stepSlots = FusedEvaluator.assignSlots(&steps, kernel)
      let slotCount = inputCount + stepSlots
      let scratchStride = FusedEvaluator.padded(slotCount * blockLength, MemoryLayout<Float>.stride)
      scratch = FusedEvaluator.allocateLines(lanes * scratchStride + tileFloats)
      tiles = scratch + lanes * scratchStride
      let rowStride = FusedEvaluator.padded(registers, MemoryLayout<UnsafePointer<Float>>.stride)
      rows = FusedEvaluator.allocateLines(lanes * rowStride)
      self.lanes = lanes
      let unit = BlockedSum.blockLength
      self.chunkLength = unit * min(16, max(1, total / (lanes * 8 * unit)))
      self.registerCount = registers
      self.rowStride = rowStride
      self.counterStride = counterStride
      self.scratchStride = scratchStride
      self.slotCount = slotCount
      self.rank = rank
      self.shape = shape
      self.total = total
      self.inputCount = inputCount
      self.blockLength = blockLength
      self.sources = sources
      self.steps = steps
      self.outputRegisters = kernel.outputs
      self.outputs = outputs
      self.streams = streams
      self.reducingFirst = reducingFirst
    }

    deinit {
      integers.deallocate()
      scratch.deallocate()
      rows.deallocate()
    }
  }

  /// Bytes in a pair of cache lines (the unit the prefetcher fetches together).
  static let linePair = 128

  /// `count` elements of `size` bytes rounded up to whole pairs of cache lines, in elements.
  static func padded(_ count: Int, _ size: Int) -> Int {
    let perPair = linePair / size
    return max(1, (count + perPair - 1) / perPair) * perPair
  }

  /// Uninitialised memory for `count` elements, starting on a pair of cache lines.
  static func allocateLines<T>(_ count: Int) -> UnsafeMutablePointer<T> {
    UnsafeMutableRawPointer.allocate(byteCount: max(1, count) * MemoryLayout<T>.stride, alignment: linePair)
      .bindMemory(to: T.self, capacity: max(1, count))
  }

  /// Gives each step writing to the scratch a slot, reusing the slot of a
  /// value read for the last time (never within the step reading it, and
  /// never the slot of a kernel output, copied out at the end of the block).
  /// Returns how many slots there are.
  static func assignSlots(_ steps: inout [PlainStep], _ kernel: FusedKernel) -> Int {
    let inputCount = kernel.inputCount
    var lastUse = [Int](repeating: -1, count: inputCount + steps.count)
    for (s, step) in kernel.steps.enumerated() { for a in step.arguments { lastUse[a] = s } }
    for r in kernel.outputs { lastUse[r] = Int.max }
    var free: [Int] = []
    var count = 0
    for s in steps.indices {
      if steps[s].direct < 0 {
        if let slot = free.popLast() {
          steps[s].slot = slot
        } else {
          steps[s].slot = count
          count += 1
        }
        if lastUse[inputCount + s] < s { free.append(steps[s].slot) }
      }
      var released: Set<Int> = []
      for a in kernel.steps[s].arguments where a >= inputCount && lastUse[a] == s && released.insert(a).inserted {
        if steps[a - inputCount].direct < 0 { free.append(steps[a - inputCount].slot) }
      }
    }
    return count
  }
}
