import Foundation
import Micrograd

/// libFuzzer's entry point: reads the bytes as a .safetensors file; what reads must write back and read the same.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  guard let file = try? SafeTensorsFile(data: Data(bytes: data, count: size)) else { return 0 }
  let tensors = file.dictionary
  guard let written = try? safeTensorsData(tensors, metadata: file.metadata) else { return 0 }
  guard let again = try? SafeTensorsFile(data: written) else { fatalError("written .safetensors does not read") }
  guard again.metadata == file.metadata, again.tensors.count == tensors.count else {
    fatalError("written .safetensors reads differently")
  }
  for (name, tensor) in again.tensors {
    guard let original = tensors[name], original.shape == tensor.shape,
      original.scalars.map(\.bitPattern) == tensor.scalars.map(\.bitPattern)
    else { fatalError("tensor \(name) reads differently") }
  }
  return 0
}
