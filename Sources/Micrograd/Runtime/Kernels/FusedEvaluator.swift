/// Runs a ``FusedKernel`` block by block, numexpr's way: each block of
/// elements goes through the whole expression while it is in cache, and
/// intermediates never touch memory.
enum FusedEvaluator {
  /// Elements per block: registers × block × 4 bytes stays in L1.
  static let blockSize = 512

  /// Evaluates `kernel` over `shape`, reading `inputs` broadcast from
  /// `inputShapes` and writing each of the kernel's outputs (all `shape`).
  static func run(
    _ kernel: FusedKernel, _ inputs: [UnsafePointer<Float>], _ inputShapes: [Shape],
    _ outputs: [UnsafeMutablePointer<Float>], _ shape: Shape
  ) {
    let total = shape.count
    let registers = kernel.inputCount + kernel.steps.count
    let strides = inputShapes.map { $0.broadcastStrides(to: shape) }
    withUnsafeTemporaryAllocation(of: Float.self, capacity: registers * blockSize) { scratch in
      let base = scratch.baseAddress!
      var start = 0
      while start < total {
        let n = min(blockSize, total - start)
        // Inputs: a pointer into the data when it lines up, else a gather.
        var rows = [UnsafePointer<Float>](repeating: UnsafePointer(base), count: registers)
        for i in 0..<kernel.inputCount {
          if inputShapes[i] == shape {
            rows[i] = inputs[i] + start
          } else {
            let row = base + i * blockSize
            fillBroadcast(inputs[i], strides[i], shape, start, n, row)
            rows[i] = UnsafePointer(row)
          }
        }
        for (s, step) in kernel.steps.enumerated() {
          let r = kernel.inputCount + s
          let out = base + r * blockSize
          let args = step.arguments
          switch step.operation {
          case .unary(let f): Elementwise.unary(f, rows[args[0]], out, count: n)
          case .binary(let f):
            let block = Shape([n])
            Elementwise.binary(f, rows[args[0]], block, rows[args[1]], block, out, block)
          case .select:
            let (c, a, b) = (rows[args[0]], rows[args[1]], rows[args[2]])
            for j in 0..<n { out[j] = c[j] != 0 ? a[j] : b[j] }
          default: preconditionFailure("fused kernel holds a non-elementwise \(step.operation.name)")
          }
          rows[r] = UnsafePointer(out)
        }
        for (k, register) in kernel.outputs.enumerated() {
          (outputs[k] + start).update(from: rows[register], count: n)
        }
        start += n
      }
    }
  }

  /// Writes elements `start..<start+count` of `source` broadcast to `shape`
  /// (through `strides`, 0 along broadcast axes) into `row`.
  static func fillBroadcast(
    _ source: UnsafePointer<Float>, _ strides: [Int], _ shape: Shape, _ start: Int, _ count: Int,
    _ row: UnsafeMutablePointer<Float>
  ) {
    let rank = shape.rank
    if strides.allSatisfy({ $0 == 0 }) {
      row.update(repeating: source[0], count: count)
      return
    }
    var index = [Int](repeating: 0, count: rank)
    var rest = start
    var offset = 0
    for axis in stride(from: rank - 1, through: 0, by: -1) {
      index[axis] = rest % shape[axis]
      rest /= shape[axis]
      offset += index[axis] * strides[axis]
    }
    let last = rank - 1
    for j in 0..<count {
      row[j] = source[offset]
      // Step the multi-index by one element.
      var axis = last
      while axis >= 0 {
        index[axis] += 1
        offset += strides[axis]
        if index[axis] < shape[axis] { break }
        offset -= index[axis] * strides[axis]
        index[axis] = 0
        axis -= 1
      }
    }
  }
}
