# Broker: publish/subscribe within a program (the tutorial's message
# broker). A publication is (topic, message); every agent subscribed to the
# topic gets it, according to what the agent is:
#   has put_nowait (Queue, RingbufQueue, ThreadSafeQueue): put_nowait((topic, message))
#                  (a full queue drops it and counts it in `dropped`)
#   Message: set((topic, message))      other objects with set() (Event...): set()
#   callable: agent(topic, message, *args); a coroutine it returns runs as a task
# Topics are compared with ==, so they may be strings, tuples, numbers...

from ._kernel import create_task


class Broker:
    # _subs: topic -> list of (agent, args); dropped: publications a full
    # queue agent could not take
    def __init__(self):
        self._subs = {}
        self.dropped = 0

    def subscribe(self, topic, agent, *args):
        subs = self._subs.setdefault(topic, [])
        for a, _ in subs:
            if a == agent:  # (== : a bound method is a new object each time)
                return
        subs.append((agent, args))

    def unsubscribe(self, topic, agent):
        subs = self._subs.get(topic)
        if subs is None:
            return
        self._subs[topic] = [s for s in subs if s[0] != agent]
        if not self._subs[topic]:
            del self._subs[topic]

    def subscribed(self, topic):
        return [a for a, _ in self._subs.get(topic, ())]

    def publish(self, topic, message):
        for agent, args in self._subs.get(topic, ()):
            if hasattr(agent, "put_nowait"):
                try:
                    agent.put_nowait((topic, message))
                except Exception:  # QueueFull / IndexError
                    self.dropped += 1
            elif hasattr(agent, "set"):
                if hasattr(agent, "value"):  # Message
                    agent.set((topic, message))
                else:
                    agent.set()
            elif callable(agent):
                r = agent(topic, message, *args)
                if hasattr(r, "send"):
                    create_task(r)
            else:
                raise TypeError("Broker agent must be a queue, event or callable, got %s" % type(agent).__name__)
