using Anvil.Events;
using Anvil.Runner;

namespace Anvil.Integration.Tests;

/// <summary>env/passwords answered on a real pseudo-terminal, and env/ssh_key served by an ssh-agent, with the
/// real ansible-playbook.</summary>
[Trait("Category", "Integration")]
public class PasswordAndKeyTests
{
    private const string PromptPlay = """
        - hosts: localhost
          gather_facts: false
          vars_prompt:
            - name: secret_word
              prompt: Enter secret
              private: true
          tasks:
            - debug:
                msg: "secret has {{ secret_word | length }} characters"
        """;

    [Fact]
    public async Task VarsPrompt_AnsweredByAPatternAnchoredWithCaret_AndTheAnswerIsInNoArtifact()
    {
        using var pdd = Fixtures.Copy(Fixtures.FixturePdd);
        pdd.File("project/prompt.yml", PromptPlay);
        pdd.File("env/passwords", "\"^Enter secret:\\\\s*?$\": \"correct-horse-battery\"\n");
        var result = await Fixtures.RunAnvilAsync(pdd.Path, "prompt.yml");
        Assert.Equal(RunStatus.Successful, result.Status);
        Assert.Contains("secret has 21 characters", result.Stdout);
        var events = Fixtures.ReadEvents(result.ArtifactDir).Select(e => e.GetProperty("event").GetString()).ToList();
        Assert.Contains(EventNames.PlaybookOnVarsPrompt, events);
        Assert.Contains("Enter secret:", result.Stdout); // the prompt is Ansible's output; the answer is not
        Assert.Empty(Processes.FilesContaining(result.ArtifactDir, "correct-horse-battery"));
        Fixtures.AssertStdoutMatchesEvents(result.ArtifactDir);
    }

    [Fact]
    public async Task AskPass_AskBecomePass_AndAskVaultPass_AreAllAnswered()
    {
        using var pdd = Fixtures.Copy(Fixtures.FixturePdd);
        pdd.File("project/vault.yml", """
            - hosts: localhost
              gather_facts: false
              vars_files: [secret.yml]
              tasks:
                - debug:
                    msg: "the vault says {{ vaulted_value }}"
            """);
        var secretFile = pdd.File("project/secret.yml", "vaulted_value: opened-with-the-prompt\n");
        using (var keyDir = new TempDir())
        {
            var passwordFile = keyDir.File("vault-pass", "vault-pw-5150\n");
            var (rc, said) = await Processes.RunAsync("ansible-vault", "encrypt", "--vault-password-file", passwordFile, secretFile);
            Assert.True(rc == 0, said);
        }
        Assert.StartsWith("$ANSIBLE_VAULT;", File.ReadAllText(secretFile));
        pdd.File("env/cmdline", "-k --ask-become-pass --ask-vault-pass");
        pdd.File("env/passwords", "\"^Vault password:\\\\s*?$\": vault-pw-5150\n");
        var result = await Fixtures.RunAnvilAsync(pdd.Path, "vault.yml", configure: o => o with
        {
            // The library's own passwords, merged with env/passwords.
            Passwords = new Dictionary<string, string>
            {
                ["^SSH password:\\s*?$"] = "ssh-pw-8086",
                ["^BECOME password.*:\\s*?$"] = "become-pw-6502",
            },
        });
        Assert.Equal(RunStatus.Successful, result.Status);
        Assert.Contains("the vault says opened-with-the-prompt", result.Stdout);
        foreach (var prompt in new[] { "SSH password:", "BECOME password[defaults to SSH password]:", "Vault password:" })
        {
            Assert.Contains(prompt, result.Stdout);
        }
        foreach (var answer in new[] { "ssh-pw-8086", "become-pw-6502", "vault-pw-5150" })
        {
            Assert.Empty(Processes.FilesContaining(result.ArtifactDir, answer));
        }
    }

    [Fact]
    public async Task UnansweredPrompt_EndsTheJobAfterPexpectTimeout_InsteadOfHanging()
    {
        using var pdd = Fixtures.Copy(Fixtures.FixturePdd);
        pdd.File("project/prompt.yml", PromptPlay);
        pdd.File("env/passwords", "\"^Some other prompt:\": x\n");
        pdd.File("env/settings", "pexpect_timeout: 1\n");
        var result = await Fixtures.RunAnvilAsync(pdd.Path, "prompt.yml");
        Assert.Equal(RunStatus.Timeout, result.Status);
        Assert.Equal(254, result.Rc);
        Assert.Equal("pexpect_timeout", result.TimeoutReason);
        Assert.Contains(Processes.RunnerMessages(result.ArtifactDir),
            m => m.StartsWith("No answer for the prompt 'Enter secret:' within 1 s (pexpect_timeout)", StringComparison.Ordinal));
        Assert.Empty(Processes.WithArgument(pdd.Path));
    }

    [Fact]
    public async Task Cancel_OfARunOnATerminal_LeavesNoProcess()
    {
        using var pdd = Fixtures.Copy(Fixtures.FixturePdd);
        pdd.File("env/passwords", "\"^Never asked:\": x\n");
        var job = AnsibleRunner.Start(new RunnerOptions { PrivateDataDir = pdd.Path, Playbook = "sleep.yml", Ident = "t" });
        await foreach (var e in job.Events())
        {
            if (e.Event == EventNames.RunnerOnStart)
            {
                break;
            }
        }
        job.Cancel();
        var result = await job.Completion;
        Assert.Equal(RunStatus.Canceled, result.Status);
        Assert.Equal(254, result.Rc);
        Assert.Empty(Processes.WithArgument(pdd.Path));
    }

    [Fact]
    public async Task SshKey_IsInAnAgentForTheRun_NeverInTheArtifacts_AndTheAgentIsGoneAfter()
    {
        using var pdd = Fixtures.Copy(Fixtures.FixturePdd);
        using var keys = new TempDir();
        var keyFile = Path.Combine(keys.Path, "id_ed25519");
        var (rc, said) = await Processes.RunAsync("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "anvil-test", "-f", keyFile);
        Assert.True(rc == 0, said);
        var key = File.ReadAllText(keyFile);
        pdd.File("env/ssh_key", key);
        var fingerprint = (await Processes.RunAsync("ssh-keygen", "-lf", keyFile + ".pub")).Output.Split(' ')[1];
        pdd.File("project/agent.yml", """
            - hosts: localhost
              gather_facts: false
              tasks:
                - command: ssh-add -l
                  register: keys
                - debug:
                    msg: "agent holds {{ keys.stdout }}"
            """);

        var result = await Fixtures.RunAnvilAsync(pdd.Path, "agent.yml");

        Assert.Equal(RunStatus.Successful, result.Status);
        Assert.Contains("agent holds 256 " + fingerprint, result.Stdout);
        var keyBody = key.Split('\n')[1]; // a line of the key's base64, which nothing else contains
        Assert.Empty(Processes.FilesContaining(result.ArtifactDir, keyBody));
        using var command = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(result.ArtifactDir, "command")));
        var socket = command.RootElement.GetProperty("env").GetProperty("SSH_AUTH_SOCK").GetString()!;
        Assert.False(Directory.Exists(Path.GetDirectoryName(socket)), "the agent's directory is removed");
        Assert.Empty(Processes.WithArgument(socket)); // no ssh-agent left behind
    }

    [Fact]
    public async Task SshKey_ThatSshAddRejects_FailsTheRunWithItsMessage()
    {
        using var pdd = Fixtures.Copy(Fixtures.FixturePdd);
        pdd.File("env/ssh_key", "this is not a private key\n");
        var result = await Fixtures.RunAnvilAsync(pdd.Path, "ok.yml");
        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.NotEqual(0, result.Rc);
        var message = Assert.Single(Processes.RunnerMessages(result.ArtifactDir));
        Assert.StartsWith("env/ssh_key: ssh-add could not load the key", message);
    }
}
