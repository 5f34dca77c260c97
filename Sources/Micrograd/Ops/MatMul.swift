// Matrix product, 2-D and batched: shape rule, lowering and backward.

/// `op(a) · op(b)` over the last two axes, where `op` transposes when asked;
/// leading (batch) axes broadcast like numpy's `matmul`.
///
/// Transposes are folded into the gemm call, never copied; the backward rule
/// uses them so that no gradient needs a transposed copy either.
public final class MatMul: Tensor {
  var a: Tensor { inputs[0] }
  var b: Tensor { inputs[1] }
  /// Whether `a` is read transposed (its last two axes swapped).
  public let transposeA: Bool
  /// Whether `b` is read transposed.
  public let transposeB: Bool

  init(_ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false, site: CallSite) {
    self.transposeA = transposeA
    self.transposeB = transposeB
    super.init(shape: matmulShape(a.shape, transposeA, b.shape, transposeB, site), inputs: [a, b], site: site)
  }

  public override var opName: String { "matmul" }
  public override var operation: Operation? { .matmul(transposeA: transposeA, transposeB: transposeB) }

  public override func backpropagate(_ grad: Tensor) {
    // C = op(A)·op(B):  dA = G·op(B)ᵀ (transposed back if A was read transposed),
    //                   dB = op(A)ᵀ·G (likewise).
    if transposeA {
      a.accumulateGrad(MatMul(b, grad, transposeA: transposeB, transposeB: true, site: site))
    } else {
      a.accumulateGrad(MatMul(grad, b, transposeA: false, transposeB: !transposeB, site: site))
    }
    if transposeB {
      b.accumulateGrad(MatMul(grad, a, transposeA: true, transposeB: transposeA, site: site))
    } else {
      b.accumulateGrad(MatMul(a, grad, transposeA: !transposeA, transposeB: false, site: site))
    }
  }
}

/// The matrix product of `a` and `b`, like `torch.matmul`.
///
/// 2-D inputs multiply as matrices; inputs with more axes are stacks of
/// matrices whose leading axes broadcast; a 1-D input is a vector (a row on
/// the left, a column on the right) and its axis is dropped from the result.
public func matmul(
  _ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false,
  file: StaticString = #fileID, line: UInt = #line
) -> Tensor {
  let site = CallSite(file, line)
  if a.shape.rank == 0 || b.shape.rank == 0 {
    fail(
      TensorError(
        op: "matmul", message: "both operands need at least one dimension; got \(a.shape) and \(b.shape)",
        location: site.location))
  }
  let left = a.shape.rank == 1 ? a.reshape([1, a.count], file: file, line: line) : a
  let right = b.shape.rank == 1 ? b.reshape([b.count, 1], file: file, line: line) : b
  let product = MatMul(left, right, transposeA: transposeA, transposeB: transposeB, site: site)
  guard a.shape.rank == 1 || b.shape.rank == 1 else { return product }
  var dims = product.shape.dims
  if b.shape.rank == 1 { dims.removeLast() }
  if a.shape.rank == 1 { dims.remove(at: dims.count - (b.shape.rank == 1 ? 1 : 2)) }
  return product.reshape(dims, file: file, line: line)
}

extension Tensor {
  /// The matrix product `self · other`, like `torch.matmul`.
  public func matmul(_ other: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    Micrograd.matmul(self, other, file: file, line: line)
  }
}

/// The shape of `op(a)·op(b)`, or a stop naming both shapes (the rule is
/// ``ShapeRules/matmul(_:_:_:_:)``, shared with the program validator).
func matmulShape(_ a: Shape, _ transposeA: Bool, _ b: Shape, _ transposeB: Bool, _ site: CallSite) -> Shape {
  switch ShapeRules.matmul(a, transposeA, b, transposeB) {
  case .success(let shape): return shape
  case .failure(let error): fail(TensorError(op: "matmul", message: error.message, location: site.location))
  }
}
