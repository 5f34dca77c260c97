// Module+SafeTensors: saving and loading a model's parameters by name.

extension Module {
  /// Writes every parameter to `path` as a .safetensors file, each under its
  /// name from ``namedParameters()`` (`layers.0.weight`), atomically.
  public func saveParameters(to path: String, metadata: [String: String]? = nil) throws(SafeTensorsError) {
    var tensors: [String: Tensor] = [:]
    for (name, parameter) in namedParameters() { tensors[name] = parameter }
    try writeSafeTensors(tensors, metadata: metadata, to: path)
  }

  /// Reads the .safetensors file at `path` into the parameters, in place.
  ///
  /// The file's names must be exactly those of ``namedParameters()`` and
  /// each shape must match; otherwise nothing is changed and the error lists
  /// every missing, unexpected or mismatched name. Values stored in another
  /// dtype (F64, F16, …) are converted to float32, like PyTorch's
  /// `load_state_dict`. The parameters stay the same tensor objects, so
  /// optimizers and compiled functions holding them see the new values.
  public func loadParameters(from path: String) throws(SafeTensorsError) {
    let file = try SafeTensorsFile(file: path)
    do { try loadParameters(file) } catch { throw SafeTensorsError(error, path: path) }
  }

  /// Copies the tensors of `file` into the parameters of the same names, after checking them all.
  func loadParameters(_ file: SafeTensorsFile) throws(SafeTensorsError.Problem) {
    let parameters = namedParameters()
    let loaded = file.dictionary
    let names = Set(parameters.map(\.name))
    let missing = parameters.map(\.name).filter { loaded[$0] == nil }
    let unexpected = file.tensors.map(\.name).filter { !names.contains($0) }
    if !missing.isEmpty || !unexpected.isEmpty { throw .parameterNames(missing: missing, unexpected: unexpected) }
    let mismatched = parameters.compactMap { name, parameter in
      let shape = loaded[name]!.shape
      return shape == parameter.shape ? nil : "\(name) is \(parameter.shape) in the model, \(shape) in the file"
    }
    if !mismatched.isEmpty { throw .parameterShapes(mismatched) }
    for (name, parameter) in parameters {
      let source = loaded[name]!
      parameter.updateValues { buffer in
        if let base = buffer.baseAddress { base.update(from: source.values, count: buffer.count) }
      }
    }
  }
}
