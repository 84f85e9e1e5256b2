namespace Anvil.Events;

/// <summary>The event names ansible-runner emits; one place so that no part of Anvil spells them differently.</summary>
public static class EventNames
{
    /// <summary>The run began: the playbook's path and uuid (ad-hoc runs have it too).</summary>
    public const string PlaybookOnStart = "playbook_on_start";
    /// <summary>A play began: its name, pattern and uuid.</summary>
    public const string PlaybookOnPlayStart = "playbook_on_play_start";
    /// <summary>A task began (before any host runs it): name, action, path:line, uuid.</summary>
    public const string PlaybookOnTaskStart = "playbook_on_task_start";
    /// <summary>The recap at the end: per-host counters and set_stats' artifact data.</summary>
    public const string PlaybookOnStats = "playbook_on_stats";
    /// <summary>A task notified a handler.</summary>
    public const string PlaybookOnNotify = "playbook_on_notify";
    /// <summary>A file was included for some hosts (<c>include_tasks</c> and the like).</summary>
    public const string PlaybookOnInclude = "playbook_on_include";
    /// <summary>A <c>vars_prompt</c> asked for a value.</summary>
    public const string PlaybookOnVarsPrompt = "playbook_on_vars_prompt";
    /// <summary>A play's pattern matched no host.</summary>
    public const string PlaybookOnNoHostsMatched = "playbook_on_no_hosts_matched";
    /// <summary>Every host of a play failed or became unreachable.</summary>
    public const string PlaybookOnNoHostsRemaining = "playbook_on_no_hosts_remaining";
    /// <summary>A host started a task.</summary>
    public const string RunnerOnStart = "runner_on_start";
    /// <summary>A host finished a task successfully (changed or not).</summary>
    public const string RunnerOnOk = "runner_on_ok";
    /// <summary>A task failed on a host (<c>ignore_errors</c> says whether it was ignored).</summary>
    public const string RunnerOnFailed = "runner_on_failed";
    /// <summary>A host skipped a task.</summary>
    public const string RunnerOnSkipped = "runner_on_skipped";
    /// <summary>A host could not be reached.</summary>
    public const string RunnerOnUnreachable = "runner_on_unreachable";
    /// <summary>An async task was polled.</summary>
    public const string RunnerOnAsyncPoll = "runner_on_async_poll";
    /// <summary>An async task finished successfully.</summary>
    public const string RunnerOnAsyncOk = "runner_on_async_ok";
    /// <summary>An async task failed.</summary>
    public const string RunnerOnAsyncFailed = "runner_on_async_failed";
    /// <summary>A task reported a diff (<c>--diff</c>).</summary>
    public const string RunnerOnFileDiff = "runner_on_file_diff";
    /// <summary>One loop item succeeded.</summary>
    public const string RunnerItemOnOk = "runner_item_on_ok";
    /// <summary>One loop item failed.</summary>
    public const string RunnerItemOnFailed = "runner_item_on_failed";
    /// <summary>One loop item was skipped.</summary>
    public const string RunnerItemOnSkipped = "runner_item_on_skipped";
    /// <summary>A task with <c>until</c> is retrying.</summary>
    public const string RunnerRetry = "runner_retry";
    /// <summary>Text outside any callback event, or Ansible's verbose display.</summary>
    public const string Verbose = "verbose";
    /// <summary>A <c>[WARNING]</c> (its text is in the following verbose event).</summary>
    public const string Warning = "warning";
    /// <summary>A deprecation warning.</summary>
    public const string Deprecated = "deprecated";
    /// <summary>An error Ansible displayed.</summary>
    public const string Error = "error";
    /// <summary>A system warning Ansible displayed.</summary>
    public const string SystemWarning = "system_warning";
    /// <summary>Ansible's debug display.</summary>
    public const string Debug = "debug";
}
