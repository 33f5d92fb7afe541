"""Parametric versions of gymnasium's classic-control and Box2D tasks: CartPole, Pendulum, MountainCarContinuous,
Acrobot and LunarLanderContinuous, with their physical parameters as the task. Each env subclasses gymnasium's own
class (:mod:`.base`), so the default task reproduces the original env exactly.

The modules are not imported here: registration uses string entry points, so Box2D is imported only when the lunar
lander is made.
"""
