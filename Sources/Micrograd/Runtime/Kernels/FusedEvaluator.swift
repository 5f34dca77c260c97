import Synchronization

/// Runs a ``FusedKernel`` block by block, numexpr's way: each block of
/// elements goes through the whole expression while it is in cache, and
/// intermediates never touch memory.
///
/// Everything that does not change from block to block is settled once per
/// call, on the stack: how each input is read (in place when laid out like
/// the kernel, from a tile made once when it repeats along the flat index —
/// a scalar, a bias row `[n]` against `[m, n]` — else gathered per block),
/// each step's registers, and which outputs a step can write in place. The
/// block loop itself allocates nothing. Each step runs as a flat loop the
/// compiler vectorises, computing exactly what the eager kernel computes for
/// that element, so fused results equal eager ones bit for bit.
enum FusedEvaluator {
  /// Elements per block: registers × block × 4 bytes stays in L1.
  static let blockSize = 512
  /// Broadcast periods up to this many elements are tiled once per call.
  static let largestTile = 4096
  /// Outputs of at least this many bytes are streamed to memory
  /// (non-temporal stores): too large to be read back from the caches,
  /// they would first be read into them for nothing (32 MiB: two thirds of
  /// this machine's last-level cache).
  static let streamingBytes = 32 << 20

  /// Evaluates `kernel` over `shape`, reading `inputs` broadcast from
  /// `inputShapes` and writing each of the kernel's outputs (all `shape`).
  static func run(
    _ kernel: FusedKernel, _ inputs: [UnsafePointer<Float>], _ inputShapes: [Shape],
    _ outputs: [UnsafeMutablePointer<Float>], _ shape: Shape
  ) {
    run(Plan(kernel, shape, inputs, inputShapes, outputs: outputs))
  }

  /// Evaluates a matmul epilogue: register 0 is `product` (shaped `shape`,
  /// usually `outputs[0]`, overwritten in place), registers 1… are
  /// `inputs[2...]` (the two matrices come first).
  static func runEpilogue(
    _ kernel: FusedKernel, product: UnsafePointer<Float>, _ inputs: [UnsafePointer<Float>], _ inputShapes: [Shape],
    _ outputs: [UnsafeMutablePointer<Float>], _ shape: Shape
  ) {
    run(epiloguePlan(kernel, product: product, inputs, inputShapes, outputs, shape))
  }

  /// The plan of a matmul epilogue (see ``runEpilogue(_:product:_:_:_:_:)``).
  static func epiloguePlan(
    _ kernel: FusedKernel, product: UnsafePointer<Float>, _ inputs: [UnsafePointer<Float>], _ inputShapes: [Shape],
    _ outputs: [UnsafeMutablePointer<Float>], _ shape: Shape
  ) -> Plan {
    var data = [product]
    var shapes = [shape]
    if inputs.count > 2 {
      data += inputs[2...]
      shapes += inputShapes[2...]
    }
    return Plan(kernel, shape, data, shapes, outputs: outputs)
  }

  /// Runs a plan made without a reducer.
  static func run(_ plan: Plan) {
    evaluate(plan, reducer: nil)
  }

  /// The core loop. With a reducer (the plan made `reducingFirst`), output 0
  /// is handed to it block by block instead of stored. Allocates nothing.
  ///
  /// A plan of several lanes splits its blocks between the cores, in chunks
  /// of whole ``BlockedSum`` blocks that each lane takes in turn from a
  /// shared counter, so a core slowed down (by another process, or a
  /// virtual machine's neighbour) takes fewer chunks instead of holding the
  /// others up. Each element is still computed by the same steps, and a
  /// split reducer keeps each block's sum apart, so the result is the same
  /// bit for bit whichever lane takes a chunk.
  static func evaluate(_ plan: Plan, reducer: FusedReduction.Plan?) {
    let total = plan.total
    guard total > 0 else { return }
    let blockLength = plan.blockLength
    plan.sources.withUnsafeBufferPointer { sources in
      for k in sources.indices {
        guard case .tiled(let data, let period, let tile) = sources[k] else { continue }
        // One period, then the tile doubled onto itself.
        let (start, length) = (plan.tiles + tile, blockLength + period - 1)
        start.update(from: data, count: period)
        var filled = period
        while filled < length {
          (start + filled).update(from: start, count: min(filled, length - filled))
          filled *= 2
        }
      }
    }
    guard plan.lanes > 1 else {
      evaluate(plan, reducer: reducer, lane: 0, 0..<total)
      return
    }
    plan.nextChunk.store(0, ordering: .relaxed)
    Parallel.forRange(plan.lanes, minimumChunk: 1, context: (plan, reducer)) { context, first, end in
      let (plan, reducer) = context.load(as: (Plan, FusedReduction.Plan?).self)
      for lane in first..<end {
        while true {
          let start = plan.nextChunk.wrappingAdd(1, ordering: .relaxed).oldValue * plan.chunkLength
          if start >= plan.total { break }
          FusedEvaluator.evaluate(plan, reducer: reducer, lane: lane, start..<min(plan.total, start + plan.chunkLength))
        }
      }
    }
  }

  /// The blocks of `range` (starting on a block boundary) on `lane`'s registers.
  static func evaluate(_ plan: Plan, reducer: FusedReduction.Plan?, lane: Int, _ range: Range<Int>) {
    let (inputCount, stepCount, blockLength) = (plan.inputCount, plan.steps.count, plan.blockLength)
    let base = plan.scratch + lane * plan.scratchStride
    let (tiles, integers) = (plan.tiles, plan.integers)
    let rows = plan.rows + lane * plan.rowStride
    let counter = plan.counter + lane * plan.counterStride
    let shape = plan.shape
    let reducingFirst = plan.reducingFirst
    let splits = plan.lanes > 1
    let streams = plan.streams
    let total = range.upperBound
    plan.sources.withUnsafeBufferPointer { sources in
      plan.steps.withUnsafeBufferPointer { plain in
        plan.outputs.withUnsafeBufferPointer { outputs in
          plan.outputRegisters.withUnsafeBufferPointer { outputRegisters in
            var start = range.lowerBound
            while start < total {
              let n = min(blockLength, total - start)
              for k in 0..<inputCount {
                switch sources[k] {
                case .contiguous(let data):
                  rows[k] = data + start
                case .tiled(_, let period, let tile):
                  rows[k] = UnsafePointer(tiles + tile + start % period)
                case .strided(let data, let strides):
                  let row = base + k * blockLength
                  gather(data, integers + strides, counter, shape, start, n, into: row)
                  rows[k] = UnsafePointer(row)
                }
              }
              for s in 0..<stepCount {
                let step = plain[s]
                let out =
                  step.direct >= 0 ? outputs[step.direct] + start : base + (inputCount + step.slot) * blockLength
                let (a, b, c) = step.arguments
                switch step.kind {
                case .unary(let f): Elementwise.unaryChunk(f, rows[a], out, count: n)
                case .binary(let f): binary(f, rows[a], rows[b], out, n)
                case .select: select(rows[a], rows[b], rows[c], out, n)
                }
                rows[inputCount + s] = UnsafePointer(out)
              }
              for j in 0..<outputRegisters.count {
                let register = outputRegisters[j]
                if reducingFirst && j == 0 {
                  if splits {
                    reducer?.accumulate(rows[register], n, at: start, lane: lane)
                  } else {
                    reducer?.accumulate(rows[register], n)
                  }
                } else if streams {
                  VectorMath.streamCopy(outputs[j] + start, rows[register], count: n)
                } else if UnsafePointer(outputs[j] + start) != rows[register] {
                  (outputs[j] + start).update(from: rows[register], count: n)
                }
              }
              start += n
            }
            // Streamed stores are weakly ordered: they must be written
            // before this lane takes its next chunk or reports done (once a
            // chunk, not after every block, where the fence stalled the core).
            if streams { VectorMath.storeFence() }
          }
        }
      }
    }
  }
}
