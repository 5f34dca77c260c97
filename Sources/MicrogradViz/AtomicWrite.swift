import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Writes `data` to `path` so that readers see the old file or the complete
/// new one: the bytes go to a temporary file in the same directory (so the
/// rename stays on one file system), are flushed, then renamed over `path`.
public func writeAtomically(_ data: Data, to path: String) throws(VizError) {
  let url = URL(fileURLWithPath: path)
  let directory = url.deletingLastPathComponent().path
  let temporary = directory + "/." + url.lastPathComponent + ".\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
  func failure(_ step: String) -> VizError {
    .writeFailed(path: path, reason: step + ": " + String(cString: strerror(errno)))
  }
  let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
  guard descriptor >= 0 else { throw failure("cannot create a temporary file in \(directory)") }
  var written = 0
  let complete = data.withUnsafeBytes { bytes -> Bool in
    while written < bytes.count {
      let count = write(descriptor, bytes.baseAddress! + written, bytes.count - written)
      if count < 0 {
        if errno == EINTR { continue }
        return false
      }
      written += count
    }
    return true
  }
  guard complete, fsync(descriptor) == 0 else {
    let error = failure("cannot write")
    close(descriptor)
    unlink(temporary)
    throw error
  }
  guard close(descriptor) == 0 else {
    let error = failure("cannot close")
    unlink(temporary)
    throw error
  }
  guard rename(temporary, path) == 0 else {
    let error = failure("cannot rename the temporary file over it")
    unlink(temporary)
    throw error
  }
}
