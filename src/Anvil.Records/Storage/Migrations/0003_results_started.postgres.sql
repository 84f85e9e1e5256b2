-- Results of one playbook in time order (ARA's UI and CLI default, order=-started) without sorting them all.
CREATE INDEX ix_results_playbook_started ON results (playbook_id, started, id);
