// Module: the base class of layers and models, with parameters found by reflection.

/// A layer or a model: a function of a tensor with trainable parameters,
/// like PyTorch's `nn.Module` and micrograd's `Module`.
///
/// Subclass it, keep parameters and sub-modules in stored properties and
/// override ``forward(_:)``:
///
/// ```swift
/// final class TwoLayer: Module {
///   let hidden = Linear(2, 8)
///   let output = Linear(8, 1)
///   override func forward(_ x: Tensor) -> Tensor { output(relu(hidden(x))) }
/// }
/// ```
///
/// There is nothing to register: ``namedParameters()`` reads the stored
/// properties with a `Mirror`, base class first, in declaration order. A
/// property counts when it is
/// - a leaf ``Tensor`` that requires grad (a parameter; one that requires no
///   grad is a constant, like PyTorch's buffers), optional or not;
/// - a ``Module``, optional or not, whose parameters are named under the
///   property's name (`output.weight`);
/// - an array of these, named by index (`layers.0.weight`), optional or not.
///
/// Each parameter is listed once, under the first name that reaches it. A
/// module can choose its own names by giving a `customMirror`
/// (``Sequential`` does, to name its layers `0`, `1`, … as PyTorch does).
/// Reflection costs a few microseconds per stored property, so a hot loop
/// should keep the list (`let parameters = model.parameters()`) rather than
/// ask for it every step.
open class Module {
  /// Creates a module; subclasses set up their parameters in their own initialiser.
  public init() {}

  /// The module's function of `x`; every subclass overrides it.
  open func forward(_ x: Tensor) -> Tensor {
    fatalError("\(type(of: self)) does not override forward(_:)")
  }

  /// Applies the module: `model(x)` is `model.forward(x)`.
  public func callAsFunction(_ x: Tensor) -> Tensor { forward(x) }

  /// Every parameter with its dotted path from this module (`layers.0.weight`),
  /// in declaration order, like PyTorch's `named_parameters()`.
  public func namedParameters() -> [(name: String, parameter: Tensor)] {
    var found: [(name: String, parameter: Tensor)] = []
    var seen: Set<ObjectIdentifier> = []
    collectParameters(named: "", into: &found, seen: &seen)
    return found
  }

  /// Every parameter, in the order of ``namedParameters()``.
  public func parameters() -> [Tensor] { namedParameters().map(\.parameter) }

  /// Clears the gradient of every parameter (PyTorch's `zero_grad()`, which
  /// sets them to none).
  public func zeroGrad() {
    for parameter in parameters() { parameter.zeroGrad() }
  }

  /// The stored properties as a `Mirror` shows them, base class first.
  fileprivate var storedProperties: [(name: String, value: Any)] {
    var mirrors: [Mirror] = []
    var next: Mirror? = Mirror(reflecting: self)
    while let mirror = next {
      mirrors.append(mirror)
      next = mirror.superclassMirror
    }
    return mirrors.reversed().flatMap { mirror in
      mirror.children.compactMap { child in
        child.label.map { (Self.propertyName($0), child.value) }
      }
    }
  }

  /// The name of the property stored under `label`: a `lazy var x` is stored as `$__lazy_storage_$_x`.
  private static func propertyName(_ label: String) -> String {
    let lazyPrefix = "$__lazy_storage_$_"
    return label.hasPrefix(lazyPrefix) ? String(label.dropFirst(lazyPrefix.count)) : label
  }
}

/// A stored property's value that can hold parameters: a tensor, a module,
/// or an array or optional of them.
///
/// One dynamic cast to this protocol sorts every property (the runtime caches
/// the answer per type); casting to each concrete type in turn costs
/// microseconds per miss.
protocol ParameterHolder {
  /// Adds the parameters held here to `found` under `name`, skipping objects already `seen`.
  func collectParameters(
    named name: String, into found: inout [(name: String, parameter: Tensor)], seen: inout Set<ObjectIdentifier>)
}

/// `prefix.name`, or `name` at the root.
private func dotted(_ prefix: String, _ name: String) -> String {
  prefix.isEmpty ? name : prefix + "." + name
}

extension Tensor: ParameterHolder {
  func collectParameters(
    named name: String, into found: inout [(name: String, parameter: Tensor)], seen: inout Set<ObjectIdentifier>
  ) {
    if isLeaf && requiresGrad && seen.insert(ObjectIdentifier(self)).inserted { found.append((name, self)) }
  }
}

extension Module: ParameterHolder {
  func collectParameters(
    named name: String, into found: inout [(name: String, parameter: Tensor)], seen: inout Set<ObjectIdentifier>
  ) {
    guard seen.insert(ObjectIdentifier(self)).inserted else { return }
    for (property, value) in storedProperties {
      (value as? any ParameterHolder)?.collectParameters(named: dotted(name, property), into: &found, seen: &seen)
    }
  }
}

extension Array: ParameterHolder where Element: ParameterHolder {
  func collectParameters(
    named name: String, into found: inout [(name: String, parameter: Tensor)], seen: inout Set<ObjectIdentifier>
  ) {
    for (index, element) in enumerated() {
      element.collectParameters(named: dotted(name, String(index)), into: &found, seen: &seen)
    }
  }
}

extension Optional: ParameterHolder where Wrapped: ParameterHolder {
  func collectParameters(
    named name: String, into found: inout [(name: String, parameter: Tensor)], seen: inout Set<ObjectIdentifier>
  ) {
    self?.collectParameters(named: name, into: &found, seen: &seen)
  }
}

/// Modules applied one after another, like PyTorch's `nn.Sequential`.
///
/// Its parameters are named by position (`0.weight`, `2.bias`), as in PyTorch.
public final class Sequential: Module, CustomReflectable {
  /// The modules, in the order they are applied.
  public let layers: [Module]

  /// Creates the composition of `layers`, first applied first.
  public init(_ layers: [Module]) {
    self.layers = layers
  }

  /// Creates the composition of `layers`, first applied first.
  public convenience init(_ layers: Module...) {
    self.init(layers)
  }

  /// Applies each layer to the previous one's output.
  public override func forward(_ x: Tensor) -> Tensor {
    layers.reduce(x) { output, layer in layer(output) }
  }

  /// The layers labelled `0`, `1`, …, which names their parameters.
  public var customMirror: Mirror {
    Mirror(
      self, children: layers.enumerated().map { (label: String($0.offset), value: $0.element as Any) },
      displayStyle: .class, ancestorRepresentation: .suppressed)
  }
}

/// A module without parameters that applies a function, for composing with
/// ``Sequential``: `Sequential(Linear(2, 16), Activation { relu($0) }, Linear(16, 1))`.
public final class Activation: Module {
  /// The function applied.
  public let function: (Tensor) -> Tensor

  /// Creates a module that applies `function`.
  public init(_ function: @escaping (Tensor) -> Tensor) {
    self.function = function
  }

  /// Applies the function.
  public override func forward(_ x: Tensor) -> Tensor { function(x) }
}
