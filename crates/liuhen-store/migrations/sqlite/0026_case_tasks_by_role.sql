-- The 审批待办 of one role is a range of its own index: a role with nothing waiting (or little)
-- reads nothing (or little), however many tasks wait for other roles. The condition is the
-- query's, word for word.
CREATE INDEX case_tasks_officer ON case_tasks (case_id, source, n) WHERE instr(roles, ',officer,') > 0;
CREATE INDEX case_tasks_unit_head ON case_tasks (case_id, source, n) WHERE instr(roles, ',unit_head,') > 0;
CREATE INDEX case_tasks_legal_reviewer ON case_tasks (case_id, source, n) WHERE instr(roles, ',legal_reviewer,') > 0;
CREATE INDEX case_tasks_approver ON case_tasks (case_id, source, n) WHERE instr(roles, ',approver,') > 0;
CREATE INDEX case_tasks_discussion_member ON case_tasks (case_id, source, n) WHERE instr(roles, ',discussion_member,') > 0;
CREATE INDEX case_tasks_archivist ON case_tasks (case_id, source, n) WHERE instr(roles, ',archivist,') > 0;
CREATE INDEX case_tasks_device_admin ON case_tasks (case_id, source, n) WHERE instr(roles, ',device_admin,') > 0;
CREATE INDEX case_tasks_supervisor ON case_tasks (case_id, source, n) WHERE instr(roles, ',supervisor,') > 0;
CREATE INDEX case_tasks_sysadmin ON case_tasks (case_id, source, n) WHERE instr(roles, ',sysadmin,') > 0;
