"""The REMS filing queue: forms due, due soon and overdue; an administrator records
that the clinic filed one."""
