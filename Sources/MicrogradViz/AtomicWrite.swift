import Foundation
import Micrograd

/// Writes a picture with the library's atomic write (temporary file in the
/// same directory, fsync, rename), reporting failures as ``VizError``.
func writePicture(_ data: Data, to path: String) throws(VizError) {
  do {
    try Micrograd.writeAtomically(data, to: path)
  } catch {
    throw .writeFailed(path: path, reason: error.description)
  }
}
