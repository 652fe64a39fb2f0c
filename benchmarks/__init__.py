"""Benchmarks of the registry at national-season scale: ``make bench`` (not part of the tests)."""


def high_water_kb() -> int:
    """This process's peak resident memory, in KB: the kernel's high-water mark of its memory
    (``VmHWM``). Not ``getrusage``'s ``ru_maxrss``, which on Linux carries the parent's over
    ``fork`` and ``exec`` (measured from a benchmark process of 380 MB, both exports «peaked»
    at its 379.9 MB)."""
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
