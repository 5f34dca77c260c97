import Foundation

/// A readable printout, like numpy's and PyTorch's repr.
extension Tensor {
  /// `tensor([[1.0000, 2.0000], [3.0000, 4.0000]], requiresGrad: true)`; large
  /// tensors show their first and last three entries per dimension.
  public var description: String {
    let values = scalars
    let summarise = count > 1000
    var body = ""
    func render(_ axis: Int, _ offset: Int, _ indent: String) {
      if axis == shape.rank {
        body += format(values[offset])
        return
      }
      let n = shape.dims[axis]
      let stride = shape.strides[axis]
      body += "["
      var i = 0
      while i < n {
        if summarise && n > 6 && i == 3 {
          body += axis == shape.rank - 1 ? "..., " : "...,\n" + indent + " "
          i = n - 3
          continue
        }
        render(axis + 1, offset + i * stride, indent + " ")
        if i < n - 1 {
          body +=
            axis == shape.rank - 1
            ? ", " : ",\n" + String(repeating: "\n", count: Swift.max(0, shape.rank - axis - 2)) + indent + " "
        }
        i += 1
      }
      body += "]"
    }
    render(0, 0, "       ")
    var extras: [String] = []
    if summarise { extras.append("shape: \(shape)") }
    if !isLeaf { extras.append("op: \(opName)") } else if requiresGrad { extras.append("requiresGrad: true") }
    return "tensor(" + body + (extras.isEmpty ? "" : ", " + extras.joined(separator: ", ")) + ")"
  }

  private func format(_ x: Float) -> String {
    if x.isNaN { return "nan" }
    if x.isInfinite { return x > 0 ? "inf" : "-inf" }
    let magnitude = abs(x)
    if magnitude != 0 && (magnitude >= 1e6 || magnitude < 1e-4) { return String(format: "%.4e", Double(x)) }
    return String(format: "%.4f", Double(x))
  }
}
