namespace Anvil.Galaxy;

/// <summary>A collection operation that cannot go on: bad input, a refused artifact, an unreachable server. The
/// message is one line (or one line per problem) meant for the user.</summary>
public class GalaxyException : Exception
{
    /// <summary>A failure with a message fit for the user (printed as is, without a stack trace).</summary>
    public GalaxyException(string message) : base(message)
    {
    }

    /// <summary>A failure with a message fit for the user, caused by <paramref name="inner"/>.</summary>
    public GalaxyException(string message, Exception inner) : base(message, inner)
    {
    }
}
