namespace Anvil.Galaxy;

/// <summary>A collection operation that cannot go on: bad input, a refused artifact, an unreachable server. The
/// message is one line (or one line per problem) meant for the user.</summary>
public class GalaxyException : Exception
{
    public GalaxyException(string message) : base(message)
    {
    }

    public GalaxyException(string message, Exception inner) : base(message, inner)
    {
    }
}
