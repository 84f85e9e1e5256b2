# Anvil job-event callback: Ansible's stdout callback when Anvil runs a playbook or an ad-hoc command.
#
# It extends the original stdout callback, so the human-readable text is unchanged, and wraps each event's text in
# a pair of in-band markers on the same stream (docs/adr/0001-event-transport.md):
#   ESC[K <base64(JSON of the whole event)> ESC[<len>D ESC[K   <event text>   ESC[K e30= ESC[4D ESC[K
# Event names and event_data follow ansible-runner 2.3.1, so the runner can write compatible job_events files.
# Nothing is written to disk. Without ANVIL_EVENTS=1 the plugin behaves exactly like its base callback.

import base64
import collections
import contextlib
import datetime
import functools
import json
import os
import sys
import threading
import uuid

from ansible import constants as C
from ansible.release import __version__ as _ANSIBLE_VERSION
from ansible.plugins.loader import callback_loader
from ansible.utils.display import Display
from ansible.utils.multiprocessing import context as mp_context

# Popped at load so that an ansible run started by a task (nested run) stays inert.
_ACTIVE = os.environ.pop('ANVIL_EVENTS', None) == '1'
_ADHOC = bool(os.environ.get('AD_HOC_COMMAND_ID'))

# Same base as ansible-runner: ORIGINAL_STDOUT_CALLBACK, else `minimal` for ad-hoc runs, else `default`.
_BASE_NAME = os.environ.get('ORIGINAL_STDOUT_CALLBACK') or ('minimal' if _ADHOC else 'default')
_Base = callback_loader.get(_BASE_NAME, class_only=True) if _BASE_NAME != 'anvil_events' else None
if _Base is None:
    Display().warning("anvil_events: cannot use stdout callback '%s' as base, using 'default'" % _BASE_NAME)
    _Base = callback_loader.get('default', class_only=True)

# Take over the base's option definitions, so its get_option() calls work under our plugin name.
DOCUMENTATION = getattr(sys.modules.get(_Base.__module__), 'DOCUMENTATION', None) or '''
    name: anvil_events
    type: stdout
    short_description: Anvil job events around the default output
    description: [Emits ansible-runner compatible job events as in-band markers on stdout.]
    extends_documentation_fragment: [default_callback, result_format_callback]
'''

CENSORED = "the output has been hidden due to the fact that 'no_log: true' was specified for this result"
_END_MARKER = '\x1b[Ke30=\x1b[4D\x1b[K'  # base64 of "{}"
_PARENT_KEYS = ('task_uuid', 'play_uuid', 'playbook_uuid')
_DISPLAY_EVENTS = ('debug', 'verbose', 'deprecated', 'warning', 'system_warning', 'error')  # runner's precedence
_FLAGGED_METHODS = ('banner', 'debug', 'deprecated', 'error', 'system_warning', 'warning')
_DATA_ON_FAILURE = ('runner_on_failed', 'runner_on_async_failed', 'runner_item_on_failed')
_TASK_KEYS = ('task', 'task_path', 'task_uuid', 'task_action', 'task_args', 'resolved_action', 'role', 'resolved_role')
_PLAY_KEYS = ('play', 'play_uuid', 'play_pattern')
_FACT_ACTIONS = frozenset(p + a for p in ('', 'ansible.builtin.', 'ansible.legacy.') for a in ('setup', 'gather_facts'))


def _env_flag(name):
    return os.environ.get(name, 'False').lower() == 'true'


def _env_int(name, default=None):
    try:
        return int(os.environ[name])
    except (KeyError, ValueError):
        return default


# The environment is fixed for the run: read it once, not per event.
_OMIT_DATA = _env_flag('RUNNER_OMIT_EVENTS')
_ONLY_FAILED = _env_flag('RUNNER_ONLY_FAILED_EVENTS')
_MAX_RES = _env_int('MAX_EVENT_RES', 700000)
_IDS = {key: value for key, var in (('job_id', 'JOB_ID'), ('ad_hoc_command_id', 'AD_HOC_COMMAND_ID'),
                                    ('project_update_id', 'PROJECT_UPDATE_ID'))
        if (value := _env_int(var)) is not None}

# Playbook/play/task context shared by all events of this process (forks get a copy of it).
_ctx = {}
# Per thread: `out` = stream of the event being written (None outside events); `flags` = Display methods in progress.
_tls = threading.local()
# Held while one event is written; a multiprocessing lock, because fork workers write their own events too.
_lock = mp_context.RLock() if _ACTIVE else None


def _utcnow():
    # ansible-runner 2.3.1 timestamps: naive UTC.
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def _json_default(o):
    if getattr(o, 'yaml_tag', None) == '!vault':
        text = o._ciphertext
        return {'__ansible_vault': text.decode('utf-8') if isinstance(text, bytes) else text}
    if isinstance(o, datetime.date):  # datetime too
        return o.isoformat()
    return str(o)


def _flags():
    flags = getattr(_tls, 'flags', None)
    if flags is None:
        flags = _tls.flags = {}
    return flags


def _censor(res):
    """ansible-runner's no_log handling; builds new containers instead of changing the result."""
    if res.get('_ansible_no_log', False):
        return {'censored': CENSORED}
    results = res.get('results')
    if isinstance(results, list) and any(isinstance(r, dict) and r.get('_ansible_no_log', False) for r in results):
        res = dict(res)
        res['results'] = [{'censored': CENSORED} if isinstance(r, dict) and r.get('_ansible_no_log', False) else r
                          for r in results]
    return res


def _event_data(event, data):
    if _OMIT_DATA or (_ONLY_FAILED and event not in _DATA_ON_FAILURE):
        return {}
    if 'res' in data and event != 'playbook_on_stats':
        if data['res']:
            data['res'] = _censor(data['res'])
        # Same size test as ansible-runner (length of str()), but say so instead of dropping res silently.
        if len(str(data['res'])) > _MAX_RES:
            data['res'] = {}
            data['res_truncated'] = True
    return data


def _begin_marker(event, data):
    """Marker carrying the whole event; `data` is the event_data (consumed)."""
    own = data['uuid']
    payload = {'uuid': own, 'event': event}
    payload.update(_IDS)
    payload['pid'] = os.getpid()
    payload['created'] = _utcnow().isoformat()
    for key in _PARENT_KEYS:
        parent = data.get(key)
        if parent and parent != own:
            payload['parent_uuid'] = parent
            break
    if 'verbosity' in data:
        payload['verbosity'] = data.pop('verbosity')
    meta = data.pop('_anvil', None)
    if meta:
        payload['anvil'] = meta  # for Anvil's recorder only; never written to job_events files
    payload['event_data'] = _event_data(event, data)
    try:
        text = json.dumps(payload, default=_json_default)
    except (TypeError, ValueError):  # e.g. a cycle or a tuple dict key: keep the event and its text, drop its data
        payload['event_data'] = {}
        text = json.dumps(payload)
    b64 = base64.b64encode(text.encode('ascii')).decode('ascii')
    return '\x1b[K%s\x1b[%dD\x1b[K' % (b64, len(b64))


@contextlib.contextmanager
def _emitting(out, event, data):
    """Brackets whatever is displayed inside the block with the event's markers."""
    with _lock:
        if out is not sys.stdout:
            sys.stdout.flush()  # keep earlier stdout text ahead of this stderr event
        outer = getattr(_tls, 'out', None)
        out.write(_begin_marker(event, data))
        _tls.out = out
        try:
            yield
        finally:
            _tls.out = outer
            out.write(_END_MARKER)
            out.flush()


def _task_ctx(task):
    ctx = {
        'task': task.name or task.action,
        'task_uuid': str(task._uuid),
        'task_action': task.action,
        'resolved_action': getattr(task, 'resolved_action', task.action),
        'task_args': '',
    }
    with contextlib.suppress(AttributeError):
        ctx['task_path'] = task.get_path()
    if C.DISPLAY_ARGS_TO_STDOUT:
        ctx['task_args'] = CENSORED if task.no_log else ', '.join('%s=%s' % a for a in task.args.items())
    role = getattr(task, '_role', None)
    if role:
        role_name = role._role_name
        resolved = role.get_name() if hasattr(role, 'get_name') else role_name
        if resolved != role_name:
            ctx['resolved_role'] = resolved
    else:
        role_name = getattr(task, 'role_name', '')
    if role_name:
        ctx['role'] = role_name
    return ctx


def _drop(*keys):
    for key in keys:
        _ctx.pop(key, None)


# --- Display hooks: output outside a callback method becomes its own event (verbose, warning, ...) -------------

def _with_flag(name, method):
    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        flags = _flags()
        flags[name] = True
        try:
            return method(self, *args, **kwargs)
        finally:
            flags.pop(name, None)
    return wrapper


def _wrap_verbose(method):
    @functools.wraps(method)
    def verbose(self, msg, host=None, caplevel=2):
        flags = _flags()
        added = {'verbose': True, 'verbosity': caplevel + 1}
        if host is not None:
            added['remote_addr'] = host
        flags.update(added)
        try:
            return method(self, msg, host=host, caplevel=caplevel)
        finally:
            for key in added:
                flags.pop(key, None)
    return verbose


def _wrap_display(method):
    @functools.wraps(method)
    def display(self, msg, color=None, stderr=False, screen_only=False, log_only=False, newline=True):
        def show():
            return method(self, msg, color=color, stderr=stderr, screen_only=screen_only, log_only=log_only,
                          newline=newline)

        out = sys.stderr if stderr else sys.stdout
        current = getattr(_tls, 'out', None)
        if log_only:
            return show()
        if current is not None:
            if current is out:
                return show()
            # Text for the other stream inside an event: flush around it so it stays between the markers.
            current.flush()
            try:
                return show()
            finally:
                out.flush()
        flags = _flags()
        data = dict(_ctx)
        data.update(flags)
        data['uuid'] = str(uuid.uuid4())
        event = next((name for name in _DISPLAY_EVENTS if flags.get(name)), 'verbose')
        if getattr(self, '_final_q', None) is None:
            with _emitting(out, event, data):
                return show()
        # In a fork worker `show` only queues the text for the main process, which displays it as an event of its
        # own; this event keeps the worker's data and has empty text, as with ansible-runner. It goes straight to
        # the file descriptor: the worker's copy of the parent's stdout buffer must never be flushed (duplicates).
        with _lock:
            _write_fd(out.fileno(), _begin_marker(event, data) + _END_MARKER)
        return show()
    return display


def _write_fd(fd, text):
    view = memoryview(text.encode('ascii'))
    while view:
        view = view[os.write(fd, view):]


if _ACTIVE:
    for _name in _FLAGGED_METHODS:
        # Display.debug is called very often and shows nothing unless ANSIBLE_DEBUG is on: only wrap it then.
        if _name != 'debug' or C.DEFAULT_DEBUG:
            setattr(Display, _name, _with_flag(_name, getattr(Display, _name)))
    Display.verbose = _wrap_verbose(Display.verbose)
    Display.display = _wrap_display(Display.display)


class _EventHooks(_Base):
    """Emits one event per callback method, around the base class's output for it."""

    def __init__(self):
        super().__init__()
        self._host_start = {}
        self._task_starts = collections.Counter()
        self._play_starts = collections.Counter()

    @contextlib.contextmanager
    def _event(self, event, task=None, **fields):
        fields.setdefault('uuid', str(uuid.uuid4()))
        data = dict(_ctx)  # key order as ansible-runner: context first, then the event's own keys
        data.update(fields)
        if task is not None:
            data.update(_task_ctx(task))
        with _emitting(sys.stdout, event, data):
            yield

    def _timing(self, result):
        start = self._host_start.get(result._host.get_name())
        if start is None:
            return None, None, None
        end = _utcnow()
        return start, end, (end - start).total_seconds()

    @staticmethod
    def _repeat_uuid(counter, uid):
        # A task or play started again (free strategy, serial) gets a `_<n>` suffix, as with ansible-runner.
        counter[uid] += 1
        return uid if counter[uid] == 1 else '%s_%d' % (uid, counter[uid])

    @staticmethod
    def _set_task(task):
        _drop(*_TASK_KEYS)
        _ctx.update(_task_ctx(task))

    # playbook, play and task level

    def v2_playbook_on_start(self, playbook):
        playbook_uuid = str(uuid.uuid4())
        _ctx.update(playbook=getattr(playbook, '_file_name', '???'), playbook_uuid=playbook_uuid)
        _drop(*_PLAY_KEYS + _TASK_KEYS)
        meta = {'ansible_version': _ANSIBLE_VERSION, 'python_version': sys.version.split()[0]}
        with self._event('playbook_on_start', uuid=playbook_uuid, _anvil=meta):
            super().v2_playbook_on_start(playbook)

    def v2_playbook_on_play_start(self, play):
        if _ADHOC:  # ansible-runner emits no play event (and no play banner) for ad-hoc commands
            return
        play_uuid = self._repeat_uuid(self._play_starts, str(play._uuid))
        hosts = getattr(play, 'hosts', '')
        pattern = ','.join(hosts) if isinstance(hosts, list) else hosts
        name = play.get_name().strip() or pattern
        _ctx.update(play=name, play_uuid=play_uuid, play_pattern=pattern)
        _drop(*_TASK_KEYS)
        with self._event('playbook_on_play_start', name=name, pattern=pattern, uuid=play_uuid):
            super().v2_playbook_on_play_start(play)

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._set_task(task)
        if _ADHOC:
            return
        task_uuid = self._repeat_uuid(self._task_starts, str(task._uuid))
        with self._event('playbook_on_task_start', name=task.get_name(), is_conditional=is_conditional,
                         uuid=task_uuid, _anvil={'tags': list(task.tags or [])}):
            super().v2_playbook_on_task_start(task, is_conditional)

    def v2_playbook_on_handler_task_start(self, task):
        # Handlers are reported as task starts with is_conditional=True (ansible-runner's convention).
        self._set_task(task)
        with self._event('playbook_on_task_start', name=task.get_name(), uuid=str(task._uuid), is_conditional=True,
                         _anvil={'tags': list(task.tags or []), 'handler': True}):
            super().v2_playbook_on_handler_task_start(task)

    def v2_playbook_on_cleanup_task_start(self, task):
        self._set_task(task)
        with self._event('playbook_on_task_start', name=task.get_name(), uuid=str(task._uuid), is_conditional=True,
                         _anvil={'tags': list(task.tags or []), 'handler': True}):
            super().v2_playbook_on_cleanup_task_start(task)

    def v2_playbook_on_vars_prompt(self, varname, private=True, prompt=None, encrypt=None, confirm=False,
                                   salt_size=None, salt=None, default=None, unsafe=None):
        with self._event('playbook_on_vars_prompt', varname=varname, private=private, prompt=prompt,
                         encrypt=encrypt, confirm=confirm, salt_size=salt_size, salt=salt, default=default,
                         unsafe=unsafe):
            super().v2_playbook_on_vars_prompt(varname, private, prompt, encrypt, confirm, salt_size, salt,
                                               default, unsafe)

    def v2_playbook_on_include(self, included_file):
        with self._event('playbook_on_include',
                         included_file=included_file._filename if included_file is not None else None):
            super().v2_playbook_on_include(included_file)

    def v2_playbook_on_no_hosts_matched(self):
        with self._event('playbook_on_no_hosts_matched'):
            super().v2_playbook_on_no_hosts_matched()

    def v2_playbook_on_no_hosts_remaining(self):
        with self._event('playbook_on_no_hosts_remaining'):
            super().v2_playbook_on_no_hosts_remaining()

    def v2_playbook_on_notify(self, handler, host):
        with self._event('playbook_on_notify', host=host.get_name(), handler=handler.get_name()):
            super().v2_playbook_on_notify(handler, host)

    def v2_playbook_on_stats(self, stats):
        _drop(*_PLAY_KEYS + _TASK_KEYS)
        custom = getattr(stats, 'custom', None)
        with self._event('playbook_on_stats', changed=stats.changed, dark=stats.dark, failures=stats.failures,
                         ignored=getattr(stats, 'ignored', 0), ok=stats.ok, processed=stats.processed,
                         rescued=getattr(stats, 'rescued', 0), skipped=stats.skipped,
                         artifact_data=custom.get('_run', {}) if custom is not None else {}):
            super().v2_playbook_on_stats(stats)

    # host level

    def v2_runner_on_start(self, host, task):
        self._host_start[host.get_name()] = _utcnow()
        with self._event('runner_on_start', task, host=host.get_name()):
            super().v2_runner_on_start(host, task)

    def v2_runner_on_ok(self, result):
        task = result._task
        if task.action in _FACT_ACTIONS or getattr(task, 'resolved_action', None) in _FACT_ACTIONS:
            # The environment is part of the job already (and may hold secrets): as ansible-runner, drop it.
            facts = result._result.get('ansible_facts')
            if isinstance(facts, dict):
                facts.pop('ansible_env', None)
        start, end, duration = self._timing(result)
        with self._event('runner_on_ok', task, host=result._host.get_name(), remote_addr=result._host.address,
                         res=result._result, start=start, end=end, duration=duration,
                         event_loop=getattr(task, 'loop_with', None)):
            super().v2_runner_on_ok(result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        start, end, duration = self._timing(result)
        with self._event('runner_on_failed', result._task, host=result._host.get_name(),
                         remote_addr=result._host.address, res=result._result, start=start, end=end,
                         duration=duration, ignore_errors=ignore_errors,
                         event_loop=getattr(result._task, 'loop_with', None)):
            super().v2_runner_on_failed(result, ignore_errors)

    def v2_runner_on_skipped(self, result):
        start, end, duration = self._timing(result)
        with self._event('runner_on_skipped', result._task, host=result._host.get_name(),
                         remote_addr=result._host.address, start=start, end=end, duration=duration,
                         event_loop=getattr(result._task, 'loop_with', None)):
            super().v2_runner_on_skipped(result)

    def v2_runner_on_unreachable(self, result):
        start, end, duration = self._timing(result)
        with self._event('runner_on_unreachable', result._task, host=result._host.get_name(),
                         remote_addr=result._host.address, start=start, end=end, duration=duration,
                         res=result._result):
            super().v2_runner_on_unreachable(result)

    def _async_event(self, event, result):
        return self._event(event, result._task, host=result._host.get_name(), res=result._result,
                           jid=result._result.get('ansible_job_id'))

    def v2_runner_on_async_poll(self, result):
        with self._async_event('runner_on_async_poll', result):
            super().v2_runner_on_async_poll(result)

    def v2_runner_on_async_ok(self, result):
        with self._async_event('runner_on_async_ok', result):
            super().v2_runner_on_async_ok(result)

    def v2_runner_on_async_failed(self, result):
        with self._async_event('runner_on_async_failed', result):
            super().v2_runner_on_async_failed(result)

    def v2_on_file_diff(self, result):
        with self._event('runner_on_file_diff', result._task, host=result._host.get_name(),
                         diff=result._result.get('diff')):
            super().v2_on_file_diff(result)

    def _result_event(self, event, result):
        return self._event(event, result._task, host=result._host.get_name(), res=result._result)

    def v2_runner_item_on_ok(self, result):
        with self._result_event('runner_item_on_ok', result):
            super().v2_runner_item_on_ok(result)

    def v2_runner_item_on_failed(self, result):
        with self._result_event('runner_item_on_failed', result):
            super().v2_runner_item_on_failed(result)

    def v2_runner_item_on_skipped(self, result):
        with self._result_event('runner_item_on_skipped', result):
            super().v2_runner_item_on_skipped(result)

    def v2_runner_retry(self, result):
        with self._result_event('runner_retry', result):
            super().v2_runner_retry(result)


# Ansible derives the plugin type from the class name, so this must be called CallbackModule.
class CallbackModule(_EventHooks if _ACTIVE else _Base):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'stdout'
    CALLBACK_NAME = 'anvil_events'
