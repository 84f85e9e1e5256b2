using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Anvil.Yaml;

/// <summary>A node of a YAML document, with where it starts (1-based line and column).</summary>
public abstract record Yaml11Node(int Line, int Column);

/// <summary>A scalar, typed and constructed as PyYAML's safe loader does.</summary>
public sealed record Yaml11ScalarNode(Yaml11Scalar Scalar, int Line, int Column) : Yaml11Node(Line, Column);

/// <summary>A sequence.</summary>
public sealed record Yaml11SequenceNode(IReadOnlyList<Yaml11Node> Items, int Line, int Column) : Yaml11Node(Line, Column);

/// <summary>A mapping, entries in the file's order. A key given twice appears twice; as in a Python dict, the last
/// value is the one that counts. Merge keys (<c>&lt;&lt;</c>) are already applied.</summary>
public sealed record Yaml11MappingNode(IReadOnlyList<KeyValuePair<Yaml11ScalarNode, Yaml11Node>> Entries, int Line, int Column)
    : Yaml11Node(Line, Column);

/// <summary>
/// Reads a YAML document the way <c>yaml.safe_load</c> does: one document (none gives null), anchors and aliases,
/// merge keys, duplicate keys allowed (the last wins), and every scalar typed by <see cref="Yaml11Scalars"/>.
/// </summary>
public static class Yaml11Document
{
    /// <summary>The document's root node, or null when the text holds no document.</summary>
    /// <exception cref="Yaml11Exception">The text is not YAML the safe loader reads; the message is one line and
    /// the exception carries the position.</exception>
    public static Yaml11Node? Load(string text)
    {
        var parser = new Parser(new StringReader(text));
        try
        {
            return new Reader(parser).Stream();
        }
        catch (YamlException e)
        {
            var message = e.InnerException is YamlException inner ? inner.Message : e.Message;
            throw new Yaml11Exception(OneLine(message), (int)e.Start.Line, (int)e.Start.Column);
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner fails this way on some malformed input; locate it by how far parsing got.
            var line = LastGoodLine(text);
            throw new Yaml11Exception($"unexpected content after line {line}", line);
        }
    }

    private sealed class Reader(IParser parser)
    {
        private readonly Dictionary<string, Yaml11Node> _anchors = new(StringComparer.Ordinal);

        public Yaml11Node? Stream()
        {
            parser.Consume<StreamStart>();
            if (parser.Accept<StreamEnd>(out _))
            {
                return null;
            }
            parser.Consume<DocumentStart>();
            var root = Node();
            parser.Consume<DocumentEnd>();
            if (parser.Accept<DocumentStart>(out var second))
            {
                throw new Yaml11Exception("expected a single document, found another", (int)second.Start.Line,
                    (int)second.Start.Column);
            }
            return root;
        }

        private Yaml11Node Node()
        {
            var start = parser.Current ?? throw new Yaml11Exception("unexpected end of the document");
            var (line, column) = ((int)start.Start.Line, (int)start.Start.Column);
            if (parser.TryConsume<AnchorAlias>(out var alias))
            {
                return _anchors.TryGetValue(alias.Value.Value, out var target)
                    ? target
                    : throw new Yaml11Exception($"found undefined alias '{alias.Value.Value}'", line, column);
            }
            Yaml11Node node;
            AnchorName anchor;
            if (parser.TryConsume<Scalar>(out var scalar))
            {
                anchor = scalar.Anchor;
                node = new Yaml11ScalarNode(Read(scalar, line, column), line, column);
            }
            else if (parser.TryConsume<SequenceStart>(out var seq))
            {
                anchor = seq.Anchor;
                var items = new List<Yaml11Node>();
                while (!parser.TryConsume<SequenceEnd>(out _))
                {
                    items.Add(Node());
                }
                node = new Yaml11SequenceNode(items, line, column);
            }
            else if (parser.TryConsume<MappingStart>(out var map))
            {
                anchor = map.Anchor;
                node = Mapping(line, column);
            }
            else
            {
                throw new Yaml11Exception($"unexpected {start.GetType().Name}", line, column);
            }
            if (!anchor.IsEmpty)
            {
                _anchors[anchor.Value] = node;
            }
            return node;
        }

        private Yaml11MappingNode Mapping(int line, int column)
        {
            var own = new List<KeyValuePair<Yaml11ScalarNode, Yaml11Node>>();
            var merged = new List<KeyValuePair<Yaml11ScalarNode, Yaml11Node>>();
            while (!parser.TryConsume<MappingEnd>(out _))
            {
                var keyEvent = parser.Current!;
                var (kl, kc) = ((int)keyEvent.Start.Line, (int)keyEvent.Start.Column);
                if (keyEvent is Scalar { Style: ScalarStyle.Plain, Value: "<<" } k && (k.Tag.IsEmpty || k.Tag.Value == "tag:yaml.org,2002:merge"))
                {
                    parser.MoveNext();
                    // As SafeConstructor.flatten_mapping: the merged mappings' keys come first and the mapping's own
                    // keys win; of several merged mappings the first wins.
                    var source = Node();
                    var sources = source is Yaml11SequenceNode s ? s.Items.Reverse() : [source];
                    foreach (var m in sources)
                    {
                        merged.AddRange(m is Yaml11MappingNode mm
                            ? mm.Entries
                            : throw new Yaml11Exception("a merge key (<<) must name a mapping or a list of mappings", m.Line, m.Column));
                    }
                    continue;
                }
                if (Node() is not Yaml11ScalarNode key)
                {
                    throw new Yaml11Exception("a mapping key must be a single value, not a list or a mapping", kl, kc);
                }
                own.Add(new(key, Node()));
            }
            merged.AddRange(own);
            return new Yaml11MappingNode(merged, line, column);
        }

        private static Yaml11Scalar Read(Scalar scalar, int line, int column)
        {
            try
            {
                return Yaml11Scalars.Read(scalar.Value, scalar.Style == ScalarStyle.Plain,
                    scalar.Tag.IsEmpty ? null : scalar.Tag.Value);
            }
            catch (Yaml11Exception e)
            {
                throw new Yaml11Exception(e.Message, line, column);
            }
        }
    }

    private static int LastGoodLine(string text)
    {
        var parser = new Parser(new StringReader(text));
        var line = 1;
        try
        {
            while (parser.MoveNext())
            {
                line = (int)(parser.Current?.End.Line ?? line);
            }
        }
        catch (Exception e) when (e is YamlException or InvalidOperationException)
        {
        }
        return line;
    }

    private static string OneLine(string s) =>
        string.Join(' ', s.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
