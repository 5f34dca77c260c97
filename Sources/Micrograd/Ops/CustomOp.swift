// Ops defined outside the module: a subclass gives a name, a shape rule, a
// forward kernel over raw float buffers and a backward rule in tensor ops.
import Synchronization

/// The base class of an op defined outside Micrograd, usable in eager mode
/// and in compiled programs (where it is the instruction `custom[name]`).
///
/// A subclass overrides ``name``, ``outputShape(for:)``,
/// ``forward(_:shapes:into:shape:)`` (the kernel, also run by the
/// interpreter) and ``gradients(_:)`` (the backward rule, in tensor ops, so
/// it compiles and differentiates again):
///
/// ```swift
/// final class Softplus: CustomOp {
///   override class var name: String { "softplus" }
///   override class func outputShape(for inputs: [Shape]) throws -> Shape { inputs[0] }
///   override class func forward(
///     _ inputs: [UnsafeBufferPointer<Float>], shapes: [Shape], into out: UnsafeMutableBufferPointer<Float>,
///     shape: Shape
///   ) {
///     for i in out.indices { out[i] = log1p(exp(inputs[0][i])) }
///   }
///   override func gradients(_ grad: Tensor) -> [Tensor?] { [grad * sigmoid(inputs[0])] }
/// }
/// let y = Softplus([x])
/// ```
///
/// Making an instance registers the subclass under its name; a process
/// that parses or runs a program naming the op before making one calls
/// ``register()`` first.
open class CustomOp: Tensor {
  /// The name the op is registered under and printed as (`custom[softplus]`):
  /// letters, digits, `_` and `.`, not starting with a digit.
  open class var name: String {
    fatalError("a CustomOp subclass must override `class var name`")
  }

  /// The shape of the result for inputs of these shapes; throws (any error,
  /// ``CustomOpError`` for a plain message) when the op cannot take them.
  open class func outputShape(for inputs: [Shape]) throws -> Shape {
    fatalError("custom op \(name) must override `class func outputShape(for:)`")
  }

  /// The forward kernel: the result (shaped `shape`) of inputs shaped
  /// `shapes`, all contiguous row-major float32. Eager ops and compiled
  /// programs both run it; it must not keep the pointers.
  open class func forward(
    _ inputs: [UnsafeBufferPointer<Float>], shapes: [Shape], into out: UnsafeMutableBufferPointer<Float>,
    shape: Shape
  ) {
    fatalError("custom op \(name) must override `class func forward(_:shapes:into:shape:)`")
  }

  /// The backward rule: the gradient for each input (nil where none flows)
  /// given `grad`, the gradient of this op's output. Written in tensor ops,
  /// reading ``Tensor/inputs`` and `self` (the output).
  open func gradients(_ grad: Tensor) -> [Tensor?] {
    fatalError("custom op \(Self.name) must override `func gradients(_:)`")
  }

  /// Applies the op to `inputs`: checks them with the shape rule (stopping
  /// with the op's name, the shapes and this call's file:line when it throws)
  /// and computes the value (or records the op while tracing).
  public init(_ inputs: [Tensor], file: StaticString = #fileID, line: UInt = #line) {
    let site = CallSite(file, line)
    Self.register()
    let shapes = inputs.map(\.shape)
    let shape: Shape
    switch Self.checkedShape(for: shapes) {
    case .success(let result): shape = result
    case .failure(let error):
      fail(
        TensorError(
          op: Self.name,
          message: "\(error.message) (inputs of shapes \(shapes.map(\.description).joined(separator: ", ")))",
          location: site.location))
    }
    super.init(shape: shape, inputs: inputs, site: site)
  }

  /// Registers this subclass under its ``name`` so that programs naming it
  /// parse, validate and run. Stops if another class holds the name.
  public class func register() {
    CustomOpRegistry.register(self)
  }

  public final override var opName: String { Self.name }
  public final override var operation: Operation? { .custom(Self.name) }

  public final override func forward(into out: UnsafeMutablePointer<Float>) {
    CustomOpRegistry.run(type(of: self), inputs.map(\.values), inputs.map(\.shape), out, shape)
  }

  public final override func backpropagate(_ grad: Tensor) {
    let gradients = gradients(grad)
    guard gradients.count == inputs.count else {
      fail(
        TensorError(
          op: Self.name, message: "gradients(_:) returned \(gradients.count) gradients for \(inputs.count) inputs",
          location: site.location))
    }
    for (input, gradient) in zip(inputs, gradients) {
      if let gradient { input.accumulateGrad(gradient) }
    }
  }

  /// The shape rule's answer, checked: a thrown error or a negative
  /// dimension is a problem with a message.
  static func checkedShape(for inputs: [Shape]) -> Result<Shape, CustomOpError> {
    do {
      let shape = try outputShape(for: inputs)
      if shape.dims.contains(where: { $0 < 0 }) {
        return .failure(CustomOpError("the shape rule gave \(shape), which has a negative dimension"))
      }
      return .success(shape)
    } catch let error as CustomOpError {
      return .failure(error)
    } catch {
      return .failure(CustomOpError(String(describing: error)))
    }
  }
}

/// A custom op's shape rule refusing its inputs, with a message saying why.
public struct CustomOpError: Error, CustomStringConvertible, Sendable {
  /// What was wrong (the inputs' shapes are added to it).
  public var message: String

  /// An error saying `message`.
  public init(_ message: String) { self.message = message }

  public var description: String { message }
}

/// The custom ops this process knows, by name: what `custom[name]` in a
/// program refers to.
enum CustomOpRegistry {
  private static let types = Mutex<[String: CustomOp.Type]>([:])

  /// Adds `type` under its name; stops on a bad name or one another class holds.
  static func register(_ type: CustomOp.Type) {
    let name = type.name
    guard isIdentifier(name) else {
      fatalError("custom op name '\(name)' of \(type) must be letters, digits, '_' and '.', not starting with a digit")
    }
    let existing = types.withLock { types in
      if let existing = types[name] { return existing }
      types[name] = type
      return type
    }
    if existing != type {
      fatalError("custom op name '\(name)' is already registered by \(existing); \(type) cannot take it")
    }
  }

  /// The class registered as `name`, if any.
  static func type(named name: String) -> CustomOp.Type? {
    types.withLock { $0[name] }
  }

  /// Runs the kernel of the op registered as `name` (a program names only
  /// registered ops: the parser and validator check it).
  static func run(
    _ name: String, _ inputs: [UnsafePointer<Float>], _ inputShapes: [Shape], _ out: UnsafeMutablePointer<Float>,
    _ shape: Shape
  ) {
    guard let type = type(named: name) else {
      fatalError("custom op '\(name)' is not registered in this process")
    }
    run(type, inputs, inputShapes, out, shape)
  }

  /// Runs `type`'s kernel over raw pointers.
  static func run(
    _ type: CustomOp.Type, _ inputs: [UnsafePointer<Float>], _ inputShapes: [Shape], _ out: UnsafeMutablePointer<Float>,
    _ shape: Shape
  ) {
    let buffers = zip(inputs, inputShapes).map { UnsafeBufferPointer(start: $0, count: $1.count) }
    type.forward(
      buffers, shapes: inputShapes, into: UnsafeMutableBufferPointer(start: out, count: shape.count), shape: shape)
  }

  /// Whether `name` reads as one IR identifier.
  static func isIdentifier(_ name: String) -> Bool {
    let bytes = Array(name.utf8)
    guard let first = bytes.first, IRSpelling.isIdentifierStart(first) else { return false }
    return bytes.allSatisfy(IRSpelling.isIdentifierByte)
  }
}
