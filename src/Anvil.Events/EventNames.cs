namespace Anvil.Events;

/// <summary>The event names ansible-runner emits; one place so that no part of Anvil spells them differently.</summary>
public static class EventNames
{
    public const string PlaybookOnStart = "playbook_on_start";
    public const string PlaybookOnPlayStart = "playbook_on_play_start";
    public const string PlaybookOnTaskStart = "playbook_on_task_start";
    public const string PlaybookOnStats = "playbook_on_stats";
    public const string PlaybookOnNotify = "playbook_on_notify";
    public const string PlaybookOnInclude = "playbook_on_include";
    public const string PlaybookOnVarsPrompt = "playbook_on_vars_prompt";
    public const string PlaybookOnNoHostsMatched = "playbook_on_no_hosts_matched";
    public const string PlaybookOnNoHostsRemaining = "playbook_on_no_hosts_remaining";
    public const string RunnerOnStart = "runner_on_start";
    public const string RunnerOnOk = "runner_on_ok";
    public const string RunnerOnFailed = "runner_on_failed";
    public const string RunnerOnSkipped = "runner_on_skipped";
    public const string RunnerOnUnreachable = "runner_on_unreachable";
    public const string RunnerOnAsyncPoll = "runner_on_async_poll";
    public const string RunnerOnAsyncOk = "runner_on_async_ok";
    public const string RunnerOnAsyncFailed = "runner_on_async_failed";
    public const string RunnerOnFileDiff = "runner_on_file_diff";
    public const string RunnerItemOnOk = "runner_item_on_ok";
    public const string RunnerItemOnFailed = "runner_item_on_failed";
    public const string RunnerItemOnSkipped = "runner_item_on_skipped";
    public const string RunnerRetry = "runner_retry";
    public const string Verbose = "verbose";
    public const string Warning = "warning";
    public const string Deprecated = "deprecated";
    public const string Error = "error";
    public const string SystemWarning = "system_warning";
    public const string Debug = "debug";
}
