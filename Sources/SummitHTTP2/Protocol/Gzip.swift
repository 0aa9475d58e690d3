private import CZlib

/// gzip (RFC 1952) for gRPC message compression, through zlib.
package enum Gzip {
  package struct Failure: Error, CustomStringConvertible {
    package var description: String
  }

  /// Compresses `bytes` into one gzip member.
  package static func compress(_ bytes: [UInt8]) -> [UInt8] {
    var stream = z_stream()
    // 15 + 16: a 32 KiB window with a gzip header and trailer.
    let initialised = CZlib_deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY)
    // deflateInit2 returns Z_OK, Z_MEM_ERROR (out of memory) or Z_STREAM_ERROR/
    // Z_VERSION_ERROR (programmer error); none but Z_OK lets us go on.
    precondition(initialised == Z_OK, "deflateInit2 failed: \(initialised)")
    defer { deflateEnd(&stream) }
    var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, UInt(bytes.count))) + 32)
    var input = bytes
    let produced = input.withUnsafeMutableBufferPointer { inBuffer in
      output.withUnsafeMutableBufferPointer { outBuffer in
        stream.next_in = inBuffer.baseAddress
        stream.avail_in = UInt32(inBuffer.count)
        stream.next_out = outBuffer.baseAddress
        stream.avail_out = UInt32(outBuffer.count)
        // With deflateBound's room, Z_FINISH completes in one call: Z_STREAM_END.
        let result = deflate(&stream, Z_FINISH)
        precondition(result == Z_STREAM_END, "deflate did not finish: \(result)")
        return outBuffer.count - Int(stream.avail_out)
      }
    }
    output.removeLast(output.count - produced)
    return output
  }

  /// Decompresses gzip data, refusing to produce more than `limit` bytes so
  /// that a small compressed message cannot expand without bound.
  package static func decompress(_ bytes: [UInt8], limit: Int) throws(Failure) -> [UInt8] {
    var stream = z_stream()
    let initialised = CZlib_inflateInit2(&stream, 15 + 16)
    precondition(initialised == Z_OK, "inflateInit2 failed: \(initialised)")
    defer { inflateEnd(&stream) }
    var output: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 16 * 1024)
    var input = bytes
    var result: Int32 = Z_OK
    input.withUnsafeMutableBufferPointer { inBuffer in
      stream.next_in = inBuffer.baseAddress
      stream.avail_in = UInt32(inBuffer.count)
      repeat {
        chunk.withUnsafeMutableBufferPointer { outBuffer in
          stream.next_out = outBuffer.baseAddress
          stream.avail_out = UInt32(outBuffer.count)
          // inflate: Z_OK (progress), Z_STREAM_END (done), Z_BUF_ERROR (no
          // progress possible: truncated input), Z_DATA_ERROR (corrupt),
          // Z_MEM_ERROR, Z_NEED_DICT, Z_STREAM_ERROR.
          result = inflate(&stream, Z_NO_FLUSH)
          output.append(contentsOf: outBuffer[0..<(outBuffer.count - Int(stream.avail_out))])
        }
      } while result == Z_OK && output.count <= limit
    }
    if output.count > limit {
      throw Failure(description: "decompressed message is larger than \(limit) bytes")
    }
    guard result == Z_STREAM_END else {
      throw Failure(description: result == Z_BUF_ERROR ? "truncated gzip data" : "corrupt gzip data (zlib \(result))")
    }
    return output
  }
}
