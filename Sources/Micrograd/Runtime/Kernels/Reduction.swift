/// How a reduction combines elements.
public enum ReductionFunction: Hashable, Sendable {
  case sum, max

  var identity: Float { self == .sum ? 0 : -.infinity }
}

/// Reductions over any set of axes of a contiguous tensor.
enum Reduction {
  /// Reduces `x` (shape `shape`) over `axes` (sorted, distinct, in range)
  /// into `out`, laid out as the shape with those axes set to 1.
  static func reduce(
    _ f: ReductionFunction, _ x: UnsafePointer<Float>, _ shape: Shape, axes: [Int], _ out: UnsafeMutablePointer<Float>
  ) {
    let kept = Shape(shape.dims.enumerated().map { axes.contains($0.offset) ? 1 : $0.element })
    let outCount = kept.count
    out.update(repeating: f.identity, count: outCount)
    if shape.count == 0 { return }
    if axes.isEmpty {
      out.update(from: x, count: outCount)
      return
    }
    // Trailing axes reduced: each output is one contiguous run of the input.
    let trailing = axes.last == shape.rank - 1 && axes == Array((shape.rank - axes.count)..<shape.rank)
    if trailing {
      let run = shape.count / max(outCount, 1)
      for r in 0..<outCount {
        let p = x + r * run
        var acc = f.identity
        switch f {
        case .sum: for i in 0..<run { acc += p[i] }
        case .max: for i in 0..<run where p[i] > acc || p[i].isNaN { acc = p[i] }
        }
        out[r] = acc
      }
      return
    }
    // General case: walk the input, accumulating into the output through
    // strides that are 0 along reduced axes.
    let outStrides = kept.broadcastStrides(to: shape)
    let inner = shape.rank - 1
    let step = outStrides[inner]
    var i = 0
    StridedRows.forEach(shape: shape, strides: [outStrides]) { offsets, length in
      let o = out + offsets[0]
      let p = x + i
      switch f {
      case .sum: for j in 0..<length { o[j * step] += p[j] }
      case .max: for j in 0..<length where p[j] > o[j * step] || p[j].isNaN { o[j * step] = p[j] }
      }
      i += length
    }
  }
}
