using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Anvil.Runner.Inputs;

/// <summary>
/// Reads <c>--role-vars 'k1=v1 k2=v2'</c> as ansible-runner does: words separated by white space, each split at its
/// first <c>=</c>; a value that reads as a Python literal (<c>3</c>, <c>1.5</c>, <c>True</c>, <c>None</c>,
/// <c>'text'</c>, <c>[1,2]</c>, <c>{'a':1}</c>) becomes that value, anything else stays text.
/// </summary>
public static class RoleVariables
{
    /// <summary>The variables of <paramref name="text"/>, in order; a later key replaces an earlier one.</summary>
    /// <exception cref="RunnerInputException">A word is not <c>key=value</c>.</exception>
    public static JsonObject Parse(string text)
    {
        var vars = new JsonObject();
        foreach (var word in text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = word.IndexOf('=');
            if (eq <= 0)
            {
                throw new RunnerInputException($"--role-vars: '{word}' is not key=value");
            }
            var value = word[(eq + 1)..];
            vars[word[..eq]] = PythonLiteral.TryParse(value, out var node) ? node : JsonValue.Create(value);
        }
        return vars;
    }
}

/// <summary>The literals Python's <c>ast.literal_eval</c> accepts that have a JSON form: numbers, strings,
/// <c>True</c>/<c>False</c>/<c>None</c>, lists, tuples (as lists) and dicts.</summary>
public static class PythonLiteral
{
    /// <summary>Reads <paramref name="text"/> as one Python literal; false (and null) when it is not one.</summary>
    public static bool TryParse(string text, out JsonNode? value)
    {
        var p = new Reader(text);
        try
        {
            value = p.ReadTopLevel();
            return true;
        }
        catch (FormatException)
        {
            value = null;
            return false;
        }
    }

    private sealed class Reader(string s)
    {
        private int _i;

        public JsonNode? ReadTopLevel()
        {
            var first = ReadValue();
            SkipSpace();
            if (_i == s.Length)
            {
                return first;
            }
            // "1,2" is a tuple in Python.
            var items = new JsonArray(first);
            while (Eat(','))
            {
                SkipSpace();
                if (_i == s.Length)
                {
                    break;
                }
                items.Add(ReadValue());
                SkipSpace();
            }
            if (_i != s.Length)
            {
                throw new FormatException();
            }
            return items;
        }

        private JsonNode? ReadValue()
        {
            SkipSpace();
            if (_i >= s.Length)
            {
                throw new FormatException();
            }
            var c = s[_i];
            return c switch
            {
                '[' => ReadSequence(']'),
                '(' => ReadSequence(')'),
                '{' => ReadDict(),
                '\'' or '"' => JsonValue.Create(ReadString()),
                _ when char.IsAsciiDigit(c) || c is '-' or '+' or '.' => ReadNumber(),
                _ => ReadName(),
            };
        }

        private JsonArray ReadSequence(char close)
        {
            _i++;
            var items = new JsonArray();
            SkipSpace();
            while (!Eat(close))
            {
                items.Add(ReadValue());
                SkipSpace();
                if (!Eat(','))
                {
                    SkipSpace();
                    Expect(close);
                    break;
                }
                SkipSpace();
            }
            return items;
        }

        private JsonObject ReadDict()
        {
            _i++;
            var map = new JsonObject();
            SkipSpace();
            while (!Eat('}'))
            {
                var key = ReadValue();
                // JSON keys are text; Python's str() of a number key is what a template would see.
                var name = key is JsonValue v && v.TryGetValue<string>(out var str) ? str : key?.ToJsonString() ?? "None";
                SkipSpace();
                Expect(':');
                map[name] = ReadValue();
                SkipSpace();
                if (!Eat(','))
                {
                    SkipSpace();
                    Expect('}');
                    break;
                }
                SkipSpace();
            }
            return map;
        }

        private string ReadString()
        {
            var quote = s[_i++];
            var sb = new StringBuilder();
            while (_i < s.Length && s[_i] != quote)
            {
                if (s[_i] == '\\' && _i + 1 < s.Length)
                {
                    var e = s[_i + 1];
                    sb.Append(e switch { 'n' => '\n', 't' => '\t', 'r' => '\r', '0' => '\0', _ => e });
                    _i += 2;
                    continue;
                }
                sb.Append(s[_i++]);
            }
            Expect(quote);
            return sb.ToString();
        }

        private JsonNode ReadNumber()
        {
            var start = _i;
            while (_i < s.Length && (char.IsAsciiLetterOrDigit(s[_i]) || s[_i] is '-' or '+' or '.' or '_'))
            {
                _i++;
            }
            var token = s[start.._i].Replace("_", "", StringComparison.Ordinal);
            if (long.TryParse(token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l))
            {
                return JsonValue.Create(l);
            }
            if (token.Any(char.IsAsciiDigit) && !token.Contains("inf", StringComparison.OrdinalIgnoreCase) &&
                double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
            {
                return JsonValue.Create(d);
            }
            throw new FormatException();
        }

        private JsonNode? ReadName()
        {
            var start = _i;
            while (_i < s.Length && char.IsAsciiLetterOrDigit(s[_i]))
            {
                _i++;
            }
            return s[start.._i] switch
            {
                "True" => JsonValue.Create(true),
                "False" => JsonValue.Create(false),
                "None" => null,
                _ => throw new FormatException(),
            };
        }

        private void SkipSpace()
        {
            while (_i < s.Length && char.IsWhiteSpace(s[_i]))
            {
                _i++;
            }
        }

        private bool Eat(char c)
        {
            if (_i < s.Length && s[_i] == c)
            {
                _i++;
                return true;
            }
            return false;
        }

        private void Expect(char c)
        {
            if (!Eat(c))
            {
                throw new FormatException();
            }
        }
    }
}
