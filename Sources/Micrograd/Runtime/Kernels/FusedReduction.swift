/// A reduction fed block by block by a fused kernel: the elementwise values
/// are reduced as they are made and never stored whole (`sum(x * y)`,
/// `sum((a - b)^2)`).
///
/// Every output element takes its inputs in row-major order, starting from
/// the reduction's identity, exactly as ``Reduction/reduce(_:_:_:axes:_:)``
/// does over a stored tensor, so the fused result equals the unfused one bit
/// for bit (while that kernel keeps its sequential order).
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
    let shape = inputShapes.reduce(Shape([])) { Shape.broadcast($0, $1)! }
    let out = outputs[0]
    let keptCount = shape.dims.enumerated().reduce(1) { $0 * (axes.contains($1.offset) ? 1 : $1.element) }
    out.update(repeating: f.identity, count: keptCount)
    let input = { (k: Int) in (inputs[k], inputShapes[k]) }
    if axes.isEmpty {
      // Reducing over no axes is a copy (no identity added, as eager).
      FusedEvaluator.evaluate(kernel, shape, input: input, outputs: outputs)
      return
    }
    // The reducer's view of the index space: size-1 axes dropped and
    // neighbours both reduced or both kept merged. The row-major order and
    // each element's output offset stay the same.
    var dims: [Int] = []
    var reduced: [Bool] = []
    for (axis, size) in shape.dims.enumerated() where size != 1 {
      let isReduced = axes.contains(axis)
      if reduced.last == isReduced {
        dims[dims.count - 1] *= size
      } else {
        dims.append(size)
        reduced.append(isReduced)
      }
    }
    if dims.isEmpty { (dims, reduced) = ([1], [true]) }
    var outStrides = [Int](repeating: 0, count: dims.count)
    var step = 1
    for axis in stride(from: dims.count - 1, through: 0, by: -1) where !reduced[axis] {
      outStrides[axis] = step
      step *= dims[axis]
    }
    let last = dims.count - 1
    let (length, inner) = (dims[last], outStrides[last])
    var index = [Int](repeating: 0, count: dims.count)
    var offset = 0
    FusedEvaluator.evaluate(kernel, shape, input: input, outputs: outputs, reducingFirst: true) { values, _, count in
      // Blocks arrive in order: walk on from where the last one stopped,
      // one innermost run at a time.
      var done = 0
      while done < count {
        let run = min(length - index[last], count - done)
        accumulate(f, values + done, run, into: out + offset, stride: inner)
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
    }
  }

  /// Folds `count` values into `out` (stride 0: all into one element, in
  /// order; else element `j` into `out[j * stride]`), as the eager kernel.
  @inline(__always)
  private static func accumulate(
    _ f: ReductionFunction, _ values: UnsafePointer<Float>, _ count: Int, into out: UnsafeMutablePointer<Float>,
    stride: Int
  ) {
    switch (f, stride) {
    case (.sum, 0):
      var total = out[0]
      for j in 0..<count { total += values[j] }
      out[0] = total
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
