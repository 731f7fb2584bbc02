# Broker: publish/subscribe within a program (the tutorial's message
# broker). A publication is (topic, message); every agent subscribed to the
# topic gets it, according to what the agent is, with the extra args given
# at subscribe():
#   has put_nowait (Queue, RingbufQueue, ThreadSafeQueue): put_nowait((topic,
#                  message)), or (topic, message, args) when args were given
#                  (a full queue drops it and counts it in `dropped`)
#   Message: set((topic, message))      other objects with set() (Event...): set()
#   has put (the tutorial's Agent classes): agent.put(topic, message, *args)
#   callable: agent(topic, message, *args); a coroutine it returns runs as a task
# Topics are compared with ==, so they may be strings, tuples, numbers...; a
# RegExp topic receives every str topic it matches. `broker` is a shared
# instance, as the tutorial's module has.

from ._kernel import create_task


class RegExp:
    def __init__(self, pattern):
        import re

        self.re = re.compile(pattern)

    def matching(self, topic):
        return self.re.match(topic) is not None


class Broker:
    # _subs: topic -> list of (agent, args); _regexps: number of RegExp
    # topics (none: publish() skips the scan); dropped: publications a full
    # queue agent could not take
    def __init__(self):
        self._subs = {}
        self._regexps = 0
        self.dropped = 0

    def subscribe(self, topic, agent, *args):
        if not (
            hasattr(agent, "put_nowait")
            or hasattr(agent, "set")
            or hasattr(agent, "put")
            or callable(agent)
        ):
            raise TypeError(
                "Broker agent must be a queue, event, agent or callable, got %s"
                % type(agent).__name__
            )
        subs = self._subs.get(topic)
        if subs is None:
            subs = self._subs[topic] = []
            if isinstance(topic, RegExp):
                self._regexps += 1
        for a, a_args in subs:
            if a == agent and a_args == args:  # (== : a bound method is a new object each time)
                return
        subs.append((agent, args))

    def unsubscribe(self, topic, agent, *args):
        # With args: that subscription; without: every one of this agent.
        subs = self._subs.get(topic)
        if subs is None:
            return
        subs = [s for s in subs if s[0] != agent or (args and s[1] != args)]
        if subs:
            self._subs[topic] = subs
        else:
            del self._subs[topic]
            if isinstance(topic, RegExp):
                self._regexps -= 1

    def subscribed(self, topic):
        return [a for a, _ in self._subs.get(topic, ())]

    def publish(self, topic, message=None):
        for agent, args in self._subs.get(topic, ()):
            self._deliver(agent, args, topic, message)
        if self._regexps and isinstance(topic, str):
            for key in list(self._subs):
                if isinstance(key, RegExp) and key.matching(topic):
                    for agent, args in self._subs[key]:
                        self._deliver(agent, args, topic, message)

    def _deliver(self, agent, args, topic, message):
        if hasattr(agent, "put_nowait"):
            try:
                agent.put_nowait((topic, message, args) if args else (topic, message))
            except Exception:  # QueueFull / IndexError
                self.dropped += 1
        elif hasattr(agent, "set"):
            if hasattr(agent, "value"):  # Message
                agent.set((topic, message))
            else:
                agent.set()
        elif hasattr(agent, "put"):
            agent.put(topic, message, *args)
        else:
            r = agent(topic, message, *args)
            if hasattr(r, "send"):
                create_task(r)


broker = Broker()
