using System.Text;
using Anvil.Events;
using Anvil.Runner.Events;
using Anvil.Runner.Execution;
using Anvil.Runner.Inputs;
using Anvil.Runner.Tests.Events;

namespace Anvil.Runner.Tests.Execution;

public class PromptResponderTests
{
    private static (PromptResponder Responder, MarkerStreamParser Parser, List<JobEvent> Events) Make(params (string Pattern, string Answer)[] prompts)
    {
        var events = new List<JobEvent>();
        var assembler = new JobEventAssembler("i", events.Add, () => "c");
        var responder = new PromptResponder(assembler, prompts.Select(p => new PasswordPrompt(p.Pattern, p.Answer)).ToList());
        return (responder, new MarkerStreamParser(responder), events);
    }

    private static string Begin(string ev) =>
        MarkerStreamParserTests.Marker($"{{\"uuid\": \"{Guid.NewGuid()}\", \"event\": \"{ev}\", \"event_data\": {{}}}}");

    private static readonly string End = MarkerStreamParserTests.Marker("{}");

    private static string? Answer(PromptResponder r) => r.TakeAnswer() is { } a ? Encoding.UTF8.GetString(a) : null;

    [Fact]
    public void AnchoredPattern_MatchesAPromptRightAfterAnEvent()
    {
        // The line the prompt is on starts with the previous event's end marker: matched on the raw stream, as
        // ansible-runner does, ^ never matches there.
        var (r, parser, events) = Make(("^Enter secret:\\s*?$", "s3cret"));
        parser.Feed(Encoding.UTF8.GetBytes(Begin("playbook_on_vars_prompt") + End + "Enter secret: "));
        Assert.Equal("s3cret\n", Answer(r));
        Assert.Null(r.TakeAnswer()); // answered once
        Assert.Equal("playbook_on_vars_prompt", Assert.Single(events).Event);
    }

    [Fact]
    public void PromptOnALaterLine_MatchesInMultilineMode_AndTheEarliestMatchWins()
    {
        var (r, parser, _) = Make(("^BECOME password.*:\\s*?$", "become"), ("^SSH password:\\s*?$", "ssh"));
        parser.Feed("[WARNING]: something first\nSSH password: "u8);
        Assert.Equal("ssh\n", Answer(r));
        parser.Feed("\nBECOME password[defaults to SSH password]: "u8);
        Assert.Equal("become\n", Answer(r));
    }

    [Fact]
    public void PromptSplitAcrossReads_IsAnsweredWhenComplete()
    {
        var (r, parser, _) = Make(("Vault password:\\s*$", "v"));
        parser.Feed("Vault pass"u8);
        Assert.Null(r.TakeAnswer());
        parser.Feed("word: "u8);
        Assert.Equal("v\n", Answer(r));
    }

    [Fact]
    public void UnansweredPrompt_IsAPartialLineOutsideAnyEvent()
    {
        var (r, parser, _) = Make(("^Nothing like this$", "x"));
        parser.Feed(Encoding.UTF8.GetBytes(Begin("playbook_on_task_start") + "TASK [x] ***"));
        Assert.False(r.AtUnansweredPrompt); // text inside an event is never a prompt
        parser.Feed(Encoding.UTF8.GetBytes("\n" + End + "Password for vault id 'dev': "));
        Assert.Null(r.TakeAnswer());
        Assert.True(r.AtUnansweredPrompt);
        Assert.Equal("Password for vault id 'dev':", r.PendingPrompt);
        parser.Feed("\n"u8);
        Assert.False(r.AtUnansweredPrompt);
    }

    [Fact]
    public void LongOutput_KeepsOnlyTheRecentWindow()
    {
        var (r, parser, _) = Make(("^Token:\\s*$", "t"));
        for (var i = 0; i < 1000; i++)
        {
            parser.Feed(Encoding.UTF8.GetBytes($"line {i} of output that is not a prompt\n"));
        }
        Assert.Null(r.TakeAnswer());
        parser.Feed("Token: "u8);
        Assert.Equal("t\n", Answer(r));
    }
}
