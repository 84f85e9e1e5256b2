using System.Runtime.InteropServices;

namespace Anvil.Runner.Artifacts;

/// <summary>The run's artifacts could not be written (disk full, permission denied, a file where a directory must
/// be …). The message is one line naming the path and the cause.</summary>
public sealed class ArtifactWriteException : IOException
{
    /// <param name="path">The file or directory that could not be written.</param>
    /// <param name="cause">Why, in a few words (e.g. <c>No space left on device</c>).</param>
    /// <param name="inner">The exception that reported it, if any.</param>
    public ArtifactWriteException(string path, string cause, Exception? inner = null)
        : base($"{path}: cannot write the run's artifacts: {cause}", inner)
    {
        Path = path;
        Cause = cause;
    }

    /// <summary>The file or directory that could not be written.</summary>
    public string Path { get; }

    /// <summary>Why, as the system says it (<c>No space left on device</c>, <c>Permission denied</c>).</summary>
    public string Cause { get; }

    internal static ArtifactWriteException From(string path, Exception e) => e switch
    {
        ArtifactWriteException a => a,
        UnauthorizedAccessException => new(path, "Permission denied", e),
        // The runtime's IOExceptions on Unix carry the errno as their HResult.
        IOException io when io.HResult is > 0 and < 4096 => new(path, Marshal.GetPInvokeErrorMessage(io.HResult), e),
        _ => new(path, string.Join(' ', e.Message.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)), e),
    };
}
