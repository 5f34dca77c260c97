// Embedding lookup (rows of a table picked by index) and its adjoint: shape rule, lowering and backward.

/// Rows of `table` (shape `[V, D]`) picked by `indices` (any shape `S`, floats
/// holding integers in `0..<V`): shape `S + [D]`, like
/// `torch.nn.functional.embedding`.
///
/// The gradient flows to the table only: each row of the output's gradient
/// is added into the table row it was read from (``EmbeddingBackward``).
public final class EmbeddingLookup: Tensor {
  var indices: Tensor { inputs[0] }
  var table: Tensor { inputs[1] }

  init(_ indices: Tensor, _ table: Tensor, site: CallSite) {
    guard table.shape.rank == 2 else {
      fail(
        TensorError(
          op: "embedding",
          message: "the table must have shape [V, D], got \(table.shape) (indices of shape \(indices.shape))",
          location: site.location))
    }
    super.init(shape: Shape(indices.shape.dims + [table.shape[1]]), inputs: [indices, table], site: site)
  }

  public override var opName: String { "embedding" }
  public override var operation: Operation? { .embedding }

  public override func forward(into out: UnsafeMutablePointer<Float>) {
    let rows = table.shape[0]
    let bad = Elementwise.embedding(
      indices.values, count: indices.count, table.values, rows: rows, width: table.shape[1], out)
    if let bad {
      let message =
        "index \(indices.values[bad]) at position \(bad) of indices of shape \(indices.shape)"
        + " is not an integer in 0..<\(rows) (table of shape \(table.shape))"
      fail(TensorError(op: "embedding", message: message, location: site.location))
    }
  }

  public override func backpropagate(_ grad: Tensor) {
    table.accumulateGrad(EmbeddingBackward(indices, grad, rows: table.shape[0], site: site))
  }
}

/// The embedding's adjoint: a table-shaped `[rows, D]` tensor of zeros with
/// each row of `grad` (shape `indices.shape + [D]`) added into the row its
/// index names (a scatter-add; repeated indices add up).
///
/// Its own gradient reads those rows back: an ``EmbeddingLookup``.
public final class EmbeddingBackward: Tensor {
  var indices: Tensor { inputs[0] }
  var gradient: Tensor { inputs[1] }
  /// The number of rows of the table.
  public let rows: Int

  init(_ indices: Tensor, _ gradient: Tensor, rows: Int, site: CallSite) {
    self.rows = rows
    super.init(shape: [rows, gradient.shape.dims.last!], inputs: [indices, gradient], site: site)
  }

  public override var opName: String { "embedding_backward" }
  public override var operation: Operation? { .embeddingBackward(rows: rows) }

  public override func backpropagate(_ grad: Tensor) {
    gradient.accumulateGrad(EmbeddingLookup(indices, grad, site: site))
  }
}

/// The rows of `table` (shape `[V, D]`) named by `indices` (any shape, floats
/// holding integers in `0..<V`): shape `indices.shape + [D]`, like
/// `torch.nn.functional.embedding(indices, table)`.
///
/// An index out of range stops with a message naming it, both shapes and
/// this call's file:line; in a compiled program it gives a row of NaN.
public func embedding(_ indices: Tensor, _ table: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
  EmbeddingLookup(indices, table, site: CallSite(file, line))
}
