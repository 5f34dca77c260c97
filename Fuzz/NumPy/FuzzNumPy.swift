import Foundation
import Micrograd

/// libFuzzer's entry point: reads the bytes as a .npy file; what reads must write back and read the same.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  guard let array = try? NumPyArray(npyData: Data(bytes: data, count: size)) else { return 0 }
  guard let again = try? NumPyArray(npyData: array.tensor.npyData()) else { fatalError("written .npy does not read") }
  guard again.tensor.shape == array.tensor.shape,
    again.tensor.scalars.map(\.bitPattern) == array.tensor.scalars.map(\.bitPattern)
  else { fatalError("written .npy reads differently") }
  return 0
}
