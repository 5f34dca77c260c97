/// A reduction fed block by block by a fused kernel: the elementwise values
/// are reduced as they are made and never stored whole (`sum(x * y)`,
/// `sum((a - b)^2)`).
///
/// Every output element takes its inputs in the order
/// ``Reduction/reduce(_:_:_:axes:_:)`` takes them from a stored tensor (a sum
/// in ``BlockedSum``'s order), so the fused result equals the unfused one bit
/// for bit. A sum of everything into one number splits across the cores by
/// whole blocks: each block's sum is kept, and they are added in order at
/// the end.
enum FusedReduction {
  /// Runs a `fusedReduce` instruction: `outputs[0]` gets the kernel's first
  /// output reduced over `axes`, `outputs[1...]` its other outputs whole.
  ///
  /// The kernel's shape is the broadcast of its inputs' shapes (every step
  /// of a fused kernel has the kernel's shape).
  static func run(
    _ kernel: FusedKernel, _ f: ReductionFunction, axes: [Int], _ inputs: [UnsafePointer<Float>],
    _ inputShapes: [Shape], _ outputs: [UnsafeMutablePointer<Float>]
  ) {
    run(Plan(kernel, f, axes: axes, inputs, inputShapes, outputs))
  }

  /// Runs a prepared `fusedReduce`. Allocates nothing.
  static func run(_ plan: Plan) {
    plan.out.update(repeating: plan.f.identity, count: plan.keptCount)
    if plan.copies {
      // Reducing over no axes is a copy (no identity added, as eager).
      FusedEvaluator.evaluate(plan.evaluator, reducer: nil)
      return
    }
    plan.index.update(repeating: 0, count: plan.dims.count)
    plan.offset = 0
    plan.lanes = BlockedSum.Lanes()
    FusedEvaluator.evaluate(plan.evaluator, reducer: plan)
    if plan.splits {
      var total = plan.out[0]
      for block in 0..<plan.blockCount { total += plan.blockSums[block] }
      plan.out[0] = total
    }
  }

  /// A `fusedReduce` worked out once: the evaluator's plan and the
  /// reducer's walk over the output. Serves one run at a time.
  final class Plan: @unchecked Sendable {
    let f: ReductionFunction
    let out: UnsafeMutablePointer<Float>
    let keptCount: Int
    /// Reducing over no axes: the kernel's outputs are stored whole.
    let copies: Bool
    let evaluator: FusedEvaluator.Plan
    /// The reducer's view of the index space: size-1 axes dropped and
    /// neighbours both reduced or both kept merged. The row-major order and
    /// each element's output offset stay the same.
    let dims: [Int]
    let outStrides: [Int]
    let length: Int
    let inner: Int
    /// Where the last block stopped: the multi-index and output offset.
    let index: UnsafeMutablePointer<Int>
    var offset = 0
    /// A sum's lanes for the block of the current run being added.
    var lanes = BlockedSum.Lanes()
    /// Whether the evaluator's lanes share the blocks of a sum of
    /// everything (then each lane fills `laneSums[lane]` and `blockSums`).
    let splits: Bool
    let blockCount: Int
    let blockSums: UnsafeMutablePointer<Float>
    /// Lane `l`'s running sum is `laneSums[l * laneSumStride]`: a pair of
    /// cache lines each, so the lanes never write to the same line.
    let laneSums: UnsafeMutablePointer<BlockedSum.Lanes>
    let laneSumStride = FusedEvaluator.padded(1, MemoryLayout<BlockedSum.Lanes>.stride)

    init(
      _ kernel: FusedKernel, _ f: ReductionFunction, axes: [Int], _ inputs: [UnsafePointer<Float>],
      _ inputShapes: [Shape], _ outputs: [UnsafeMutablePointer<Float>]
    ) {
      // The kernel's shape is the broadcast of its inputs' shapes.
      let shape = inputShapes.reduce(Shape([])) { Shape.broadcast($0, $1)! }
      self.f = f
      out = outputs[0]
      keptCount = shape.dims.enumerated().reduce(1) { $0 * (axes.contains($1.offset) ? 1 : $1.element) }
      copies = axes.isEmpty
      splits = f == .sum && keptCount == 1 && shape.count >= Parallel.minimumElements && Parallel.threadCount > 1
      evaluator = FusedEvaluator.Plan(
        kernel, shape, inputs, inputShapes, outputs: outputs, reducingFirst: !axes.isEmpty, splitsReduction: splits)
      let (dims, outStrides) = Reduction.merged(shape, axes: axes)
      self.dims = dims
      self.outStrides = outStrides
      (length, inner) = (dims[dims.count - 1], outStrides[dims.count - 1])
      index = .allocate(capacity: dims.count)
      index.initialize(repeating: 0, count: dims.count)
      blockCount = splits ? (shape.count + BlockedSum.blockLength - 1) / BlockedSum.blockLength : 0
      blockSums = .allocate(capacity: max(1, blockCount))
      laneSums = FusedEvaluator.allocateLines(evaluator.lanes * laneSumStride)
      laneSums.initialize(repeating: BlockedSum.Lanes(), count: evaluator.lanes * laneSumStride)
    }

    deinit {
      index.deallocate()
      blockSums.deallocate()
      laneSums.deallocate()
    }

    /// Adds the next `count` values of a split sum, the elements from
    /// `start` on (all in one block), on the evaluator's lane `lane`.
    @inline(__always)
    func accumulate(_ values: UnsafePointer<Float>, _ count: Int, at start: Int, lane: Int) {
      let within = start % BlockedSum.blockLength
      let sums = laneSums + lane * laneSumStride
      sums.pointee.add(values, count, at: within)
      let end = start + count
      if end % BlockedSum.blockLength == 0 || end == length {
        blockSums[start / BlockedSum.blockLength] = sums.pointee.total
        sums.pointee = BlockedSum.Lanes()
      }
    }

    /// Folds the next `count` values of the kernel's first output in.
    /// Blocks arrive in order: walk on from where the last one stopped,
    /// one innermost run at a time.
    func accumulate(_ values: UnsafePointer<Float>, _ count: Int) {
      let (f, out, length, inner, index) = (self.f, self.out, self.length, self.inner, self.index)
      let (dims, outStrides) = (self.dims, self.outStrides)
      let last = dims.count - 1
      var offset = self.offset
      var done = 0
      while done < count {
        var run = min(length - index[last], count - done)
        if f == .sum && inner == 0 {
          // A sum's run goes through the lanes, block by block.
          let within = index[last] % BlockedSum.blockLength
          run = min(run, BlockedSum.blockLength - within)
          lanes.add(values + done, run, at: within)
          let end = index[last] + run
          if end % BlockedSum.blockLength == 0 || end == length {
            out[offset] += lanes.total
            lanes = BlockedSum.Lanes()
          }
        } else {
          FusedReduction.accumulate(f, values + done, run, into: out + offset, stride: inner)
        }
        done += run
        index[last] += run
        offset += run * inner
        if index[last] < length { continue }
        offset -= length * inner
        index[last] = 0
        var axis = last - 1
        while axis >= 0 {
          index[axis] += 1
          offset += outStrides[axis]
          if index[axis] < dims[axis] { break }
          offset -= index[axis] * outStrides[axis]
          index[axis] = 0
          axis -= 1
        }
      }
      self.offset = offset
    }
  }

  /// Folds `count` values into `out` (stride 0: all into one element, in
  /// order; else element `j` into `out[j * stride]`), as the eager kernel.
  /// (A sum into one element goes through ``BlockedSum`` instead.)
  @inline(__always)
  static func accumulate(
    _ f: ReductionFunction, _ values: UnsafePointer<Float>, _ count: Int, into out: UnsafeMutablePointer<Float>,
    stride: Int
  ) {
    switch (f, stride) {
    case (.sum, 0):
      preconditionFailure("a sum into one element goes through BlockedSum")
    case (.sum, 1):
      for j in 0..<count { out[j] += values[j] }
    case (.sum, _):
      for j in 0..<count { out[j * stride] += values[j] }
    case (.max, 0):
      var largest = out[0]
      for j in 0..<count where values[j] > largest || values[j].isNaN { largest = values[j] }
      out[0] = largest
    case (.max, _):
      for j in 0..<count where values[j] > out[j * stride] || values[j].isNaN { out[j * stride] = values[j] }
    }
  }
}
