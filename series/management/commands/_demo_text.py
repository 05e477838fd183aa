"""Bodies of the demo posts made by `manage.py seed_demo`: post slug -> Markdown.

Written for OLE as placeholder content. Safety conventions apply even here: personal experience, no doses,
no reduction timetables, nothing about where to get medicines, no method details of self-harm.
"""

BODIES: dict[str, str] = {
    "the-quiet-cost-of-long-term-use": """\
When my GP first wrote me a prescription for sleeping tablets, I was thirty-one, newly divorced and lying
awake every night doing sums in my head. The tablets worked. For the first time in months I slept right
through until the alarm, and I remember thinking that somebody should have told me about these years ago.

Nobody told me that they were meant for a short stretch. Or perhaps somebody did, and I was too tired to hear
it. Either way, the repeat prescription became part of my life, like the monthly debit order for the car. I
stayed on them for nearly nine years.

This series is about those years and the ones that came after. It is my experience, not medical advice. If you
take a benzodiazepine (the family that includes many calming and sleeping tablets), please don't change
anything because of what you read here without talking to your prescriber first. Stopping suddenly after
long-term use can be dangerous.

## What I didn't notice

The harms of long-term use did not arrive with a bang. They crept in so slowly that I mistook them for my
personality, or for getting older. Looking back, with the help of the people who walked with me, I can name
some of them:

- **A fog over my memory.** I would read a page and have to read it again. I forgot conversations with my
  sister, which hurt her more than she let on.
- **Flattened feelings.** The bad days were less sharp, but so were the good ones. My nephew's first birthday
  felt like something I was watching on a TV in another room.
- **More anxiety, not less.** By the end I was anxious almost every late afternoon, as if my body was counting
  down to the next tablet.
- **Clumsiness.** I walked into door frames and once missed a step at the taxi rank. Small things, but they
  added up.
- **A shrinking life.** I stopped driving at night, stopped going to book club, stopped saying yes to anything
  that might make me late for bed.

None of these came with a label saying "this is the medication". That is part of what makes it so hard to see.

## Why this happens

I'm not a doctor, and I would rather point you to one than pretend. What I learned from mine, and from reading
carefully, is that these medicines can work well in the short term, and that guidance generally suggests
keeping them to a short course for exactly that reason. Over months and years the brain adjusts to having them
around. The calm they gave at the start fades, while the body comes to rely on them. The next part of this
series is about that.

> I kept waiting to feel like myself again. It took me years to ask whether the thing I was taking to feel
> normal was part of the reason I didn't.

## Why I'm writing this

I'm not writing to frighten anyone, and I'm not against medication. Some people need these tablets for a time,
and there is no shame in that. I'm writing because when I first wondered whether the tablets were part of the
problem, I searched at two in the morning and found either cheerful adverts or horror stories. I wanted
something in between: honest, and kind.

If some of this sounds familiar, you are not weak and you didn't do anything wrong. You followed the advice
you were given. The next step, if you want one, is a conversation with your prescriber or a pharmacist you
trust. Write your questions down beforehand; I always forget mine the moment I sit down in the consulting
room.

In the next part I'll write about dependence and tolerance, the two things nobody explained to me properly
until I was nearly a decade in.
""",
    "dependence-and-tolerance-two-sides-of-one-coin": """\
The first time a nurse used the word "dependent" about me, my face went hot. I heard "addict", with everything
that word carries. I wanted to explain that I had only ever taken what I was prescribed, that I had never
hidden a thing. She let me finish and then said, quite gently, "I know. That's not what I meant."

It took me a while to understand what she did mean. I'm writing it down here the way I wish someone had
explained it to me. Again: this is my understanding as a patient, not medical advice.

## Tolerance: when the same tablet does less

Tolerance means your body gets used to a medicine, so the same amount has less effect than it did at first.
With sleeping tablets this can happen within weeks. The nights I had slept like a baby at the start turned
into nights when I slept "okay", and then into nights when I lay awake anyway, just more muddled.

For some people, tolerance leads to a bigger prescription. For others, like me, the prescription stays the
same while the benefit quietly drains away. Either way, you can end up taking something every day that does
far less than it used to.

## Dependence: when stopping makes you feel worse

Dependence means your body has adapted to the medicine being there, so that when it is reduced or missed, you
feel unwell. It is a physical adaptation, and it can happen to anyone who takes these tablets regularly for
long enough, exactly as prescribed.

That is different from addiction, which is about craving and compulsion and carrying on despite harm. Some
people experience both. Many, like me, experience dependence without addiction. Neither one is a moral
failing.

## Two sides of one coin

Here is the part that finally made sense of my late-afternoon dread. Tolerance and dependence tend to grow
together. As the tablet does less, the body's own settings shift to make room for it. Between doses, some
people start to feel a kind of mini-withdrawal: edgy, shaky, restless, sure that something is wrong. It is
very easy to read that as "my anxiety is getting worse, so I obviously need the tablets", when the tablets
themselves may be part of the loop.

> Tolerance is the coin showing less on one side. Dependence is what you find when you turn it over.

I don't say this to blame anyone. My GP was trying to help a tired, tearful woman get some sleep. I took what
I was given. But I wish we had talked, right at the start, about how long and what next.

## Questions I wish I had asked sooner

If you're wondering about your own situation, these are questions you could take to your prescriber or
pharmacist:

1. How long was this medicine meant to be for, in my case?
2. Could some of what I'm feeling now be tolerance, or withdrawal between doses?
3. If I wanted to come off one day, what would a safe, gradual plan look like for me?
4. Who can support me through it, and what should I do if it gets hard?

Please don't cut down or stop on your own to "test" whether you are dependent. Stopping suddenly after
long-term use can be dangerous. The point is to start a conversation, not to go it alone.

In the next part I'll write about withdrawal: what mine was like, and what helped me get through it.
""",
    "withdrawal-and-how-to-get-through-it": """\
Before I start: this part describes withdrawal symptoms. If you are in the middle of withdrawal right now and
today isn't the day for reading about it, it's fine to close the tab and come back another time.

And the usual note, which I mean every time I write it: this is my experience, not medical advice. The way I
came off was planned with my doctor, adjusted as we went, and specific to me. I'm not going to share amounts
or a timetable, because what is right for one person can harm another. Please do this with a prescriber, never
alone and never suddenly.

## What it was like

Coming off took much longer than I had hoped. We tapered in small steps, and each step down was followed by a
rough patch, then a slow settling. The rough patches brought things I hadn't expected:

- nights of broken sleep, worse than the insomnia I had started with;
- a jittery, electric feeling under my skin;
- sensitivity to light and noise, so that the shopping centre felt like a nightclub;
- waves of fear with no cause I could find;
- tiredness that sleep didn't fix, and a brain that wouldn't hold on to a thought.

Not everyone has all of these, and some people have others. What helped most was knowing in advance that
symptoms like these are common in withdrawal, and that they are not a sign that you are going mad or that you
"really" need the tablets.

## What helped me get through it

**A prescriber who listened.** We agreed that I could ask to slow down or pause at any point. Knowing I wasn't
trapped in a plan made it easier to keep going. When I did need a pause, I said so, and nobody made me feel
that I had failed.

**One person who knew everything.** For me it was my sister. I told her what to expect and what to do if I
sounded worse than usual on the phone. You might choose a friend, a partner, a support group or a helpline.

**Small, boring routines.** Up at the same time every day. Outside in daylight before ten, even if it was only
to stand at the gate with my tea. Meals at regular times, even when I wasn't hungry. Nothing heroic.

**Lowering the bar.** I stopped measuring days by what I got done. A day I got through was a good day.

**Writing down the windows.** On the worst days I kept a tiny notebook, and whenever I had an hour that felt
even slightly better, I wrote it down. Later, paging through it, I could see the windows getting longer.

> Withdrawal lied to me constantly. It told me this was who I was now. It wasn't.

## When to get help quickly

If your symptoms feel severe or frightening, if you become confused, if you have a fit, or if you start having
thoughts of not wanting to be here, please contact your doctor or emergency services straight away, or one of
the lines on [our help page](/help/). You do not have to wait until things are "bad enough".

## On the other side

I won't pretend it was quick or tidy. But the fog lifted, slowly. I read whole books again. I laugh more, and
cry more, and both feel like mine. The afternoon dread is gone.

In the last part of this series, a reader shares her own story, which says all of this better than I can.
""",
    "thandis-story-finding-my-feet-again": """\
*When we published the first parts of this series, we asked readers to send us their own experiences. Many of
you did, and we are grateful for every one. This story was sent in by a reader who asked to be called Thandi
M. We have edited it lightly for length, and Thandi read and approved the final version. As always, it is one
person's experience, not medical advice. — The OLE editors*

I was first given something for my nerves after my father passed away. I was in my late twenties, working in a
call centre in Durban and looking after my mother. I couldn't stop shaking at my desk. The tablets helped, and
for a while they really did feel like a kindness.

I stayed on them for eleven years. I only realised how long when I found the date on an old clinic card.

## The first try

About four years ago I decided I'd had enough. I was tired of feeling far away from my own life. I'm a bit
ashamed to say I didn't talk to anyone first. I tried to stop on my own, all at once.

Within days I was worse than I had ever been. I couldn't sleep at all, my heart was racing, and it felt like
the walls were moving closer. My sister found me sitting in the car outside the Spar, unable to go in or to
drive home. She took me to the clinic, and the doctor explained, very kindly, that coming off too fast can be
dangerous and that I needed a proper plan. I went back onto my prescription that week.

For a long time I called that my relapse, and I was hard on myself about it. Now I think of it as the time I
learned how not to do it.

## The second try

Two years later I tried again, differently. This time I started with a long appointment with a new GP and told
her everything. We made a plan together, so slow that it felt almost silly at first. She said something I have
kept: "Slow is not failing. Slow is the method."

There were bad weeks. There were weeks when we held still instead of going down. I joined an online peer
group, and reading other people's posts at three in the morning made me feel less like a freak. I started
walking on the beachfront on Sunday mornings with my neighbour, Mrs Pillay, who talks enough for both of us.

## What I would tell someone starting out

- Talk to a prescriber before you change anything. I know it's tempting to just be done with it. Please don't
  do it the way I did the first time.
- Tell at least one person the whole truth.
- Expect it to be slower than you want, and plan for that instead of hoping it won't be.
- A setback is not the end. I went back on once, and I still got here.

## Now

I have been off for a little over a year. I still have bad nights, like anybody. But I feel things again,
properly. Last month my niece graduated and I cried all the way through the ceremony, and I have never been so
happy to cry.

> If you are where I was, sitting in the car and unable to go in: you are not weak. You are tired, and you
> deserve help that is patient with you.

*Thank you, Thandi. If you would like to share your own experience, you can [send it to us](/stories/share/).
An editor reads every story, and we always check changes with you before anything is published.*
""",
    "a-walk-around-the-block-counts": """\
Welcome to Mental Floss Mondays, a small weekly column about the unglamorous things that help keep a mind in
working order. I'm Pieter. I live with bipolar disorder, I've had good years and bad ones, and I've read more
self-help books than I care to admit. Most of what actually helped me fits on the back of a till slip.

So here is this week's: a walk around the block counts.

## The all-or-nothing trap

When I'm low, exercise advice makes me feel worse. "Thirty minutes, five times a week." "Get your heart rate
up." The gap between that and where I actually am, which is on the couch in yesterday's T-shirt, is so wide
that I don't even start.

For years I thought the answer was more discipline. It wasn't. It was smaller steps.

## What a walk around the block does

I'm not a doctor, and I won't pretend a stroll cures anything. But on the days I manage it, a few things
happen:

- I see daylight, which seems to help my sleep that night.
- I hear something other than my own thoughts: a hadeda complaining, a taxi hooting, kids on their way home
  from school.
- I have done one thing. One is a lot more than none.

Some days one block turns into three. Most days it doesn't, and that's fine too.

## Making it easier to start

I keep my takkies by the front door. I don't change clothes. I tell myself I only have to get to the corner,
and that I'm allowed to turn back there. Nine times out of ten I don't, because the hard part was the door,
not the walk.

If walking isn't possible for you, the same idea works for other things: sitting on the step for five minutes,
opening a window and standing in the sun, stretching in bed. The point isn't the exercise. It's proving to
yourself, gently, that you can still move a little in the direction you want to go.

And if even that feels out of reach for weeks on end, that is worth mentioning to your doctor or counsellor.
It's not laziness. Sometimes it's a sign that you need a bit more support than a column can give.

> Small is not nothing. Small is how most things start.

See you next Monday. Until then: one block. That's the whole assignment.
""",
    "the-worry-window": """\
My worry has never been good at timekeeping. It turns up in the shower, in the queue at Checkers, in the
middle of a film, and especially at eleven at night, just as I switch off the light.

A few years ago a counsellor suggested something that sounded far too simple to work. I was sceptical. It has
become one of the most useful things I do.

## Giving worry an appointment

It's called a worry window, or worry time. You choose a short slot each day, say fifteen or twenty minutes in
the late afternoon, and that's when worrying is allowed. Outside that slot, when a worry arrives, you don't
argue with it or try to push it away. You simply note it down and tell it: "Not now. Five o'clock."

Then at five o'clock you sit down with your list and worry properly. On purpose.

## What surprised me

The first surprise was how many worries had evaporated by the time their appointment came round. Things that
felt urgent at ten in the morning were, by the afternoon, either sorted or simply not that important.

The second was that the worries still on the list were easier to look at in daylight, at the kitchen table
with a pen, than they had ever been at midnight. Some turned into a to-do item: phone the bank, reply to my
brother. Some I could do nothing about, and I wrote that down too.

The third was that I got most of my evenings back.

## Some things that help

- Keep the window well away from bedtime. Late afternoon works for me.
- Use paper or a notes app, whatever is always with you.
- End the window on time, even mid-worry. Put the kettle on, or go outside.
- Be patient. For the first week or two my worry kept trying to jump the queue.

## When it isn't enough

This is a small tool, not a treatment. If your anxiety is there all the time, if it stops you working or
sleeping or leaving the house, or if your worries turn to thoughts of harming yourself, please talk to a
doctor, a counsellor or one of the lines on [our help page](/help/). Needing more than a trick from a column
is not a failure. It's information.

> Worry is very bad at hearing "no". It turns out it's quite good at hearing "later".

See you next Monday.
""",
    "sleep-is-not-an-exam": """\
There was a stretch of my life when I approached every night like a test I was going to fail. I'd check the
time at ten, work out how many hours I would get if I fell asleep right now, check again at half past, and
redo the sums. By one in the morning I was wide awake and furious with myself, which, it turns out, is not a
great state for drifting off.

This week's Mental Floss Monday is about taking the exam out of sleep.

## Trying harder makes it worse

Sleep is one of the few things that gets harder the more effort you put in. You can't force it, any more than
you can force a sneeze. What you can do is set things up so that it's more likely to turn up, and then get out
of its way.

## What helped me

I'm not a sleep expert, and if you have struggled to sleep for a long time it's worth talking to a doctor
about it. But these are the things that made the biggest difference for me:

1. **The same wake-up time every day**, weekends included. This was the hardest and the most useful. My body
   only started to trust bedtime once mornings were predictable.
2. **Turn the clock around.** I stopped checking the time at night. The numbers only ever fed the sums.
3. **Get up if it isn't working.** If I've been lying awake and stewing for what feels like a long while, I
   get up, go to another room with a dim light, and do something dull until I feel sleepy. Then I go back.
4. **A wind-down, not a shutdown.** The last half hour before bed is for boring, soothing things: the dishes,
   a shower, a paper book. Not the news, and not arguments on WhatsApp.
5. **Daylight in the morning.** Even ten minutes outside seems to help set the clock.

## Permission to have a bad night

The biggest change wasn't on that list, though. It was deciding that a bad night is survivable. I have had
hundreds of them. I went to work afterwards, grumpy and slow, and the world carried on. Once I stopped
treating each night as a verdict on me, I slept better more often.

If you rely on tablets to sleep and have started to wonder about that, [the first part of our benzodiazepine
series](/posts/the-quiet-cost-of-long-term-use/) might be worth a read, and your prescriber is the right
person to talk to before changing anything.

> You are not failing at sleep. You are a tired person, doing your best, in a body that is doing its best too.

See you next Monday. Sleep well, or at least rest kindly.
""",
    "how-we-edit-your-story": """\
Every week people send us their experiences of dependence, withdrawal, anxiety and recovery. Some are a few
lines long. Some run to pages. All of them took courage to write. We want to explain what happens to your
words once you press send, because you should never have to guess.

## Who reads it

A small team of volunteer editors reads every story. We are people with our own lived experience, not a
company. We read carefully, mostly in the evenings and over weekends, so sometimes it takes us a little while
to reply. If a story tells us that someone might be in danger right now, we answer that one first, and we
share the crisis lines with them.

## What we change

We edit for two things: clarity and safety.

Clarity means small things: breaking up a long paragraph, fixing a typo, adding a subheading so readers on
their phones can find their place. We try hard to keep your voice. If you say "eish", it stays.

Safety means we take out a few kinds of detail that could hurt a reader who is in a fragile place:

- doses, amounts and timetables for reducing medication;
- anything about where or how to get medicines;
- detailed descriptions of self-harm or of ways of ending a life;
- names and details that could identify you or other people, unless you have told us you want them in.

We never add things you didn't say, and we don't turn your experience into advice.

## You always see it first

Before anything is published, we send you the edited version. You can accept it, ask for changes, or decide
you would rather not go ahead. There is no pressure and no deadline. Some people take months to decide, and
that is fine.

If we think a story needs a content note at the top, for example for withdrawal symptoms or relapse, we will
tell you which one and why.

## Changing your mind later

Your story stays yours. If, after it is published, you want to change something or take it down completely,
tell us and we will do it. We keep your contact details only for as long as we need them to work with you on
your story.

> We would rather publish fewer stories, handled carefully, than many stories handled carelessly.

If you have been thinking about writing something, we would love to hear from you, whenever you are ready. You
can [share your story here](/stories/share/).
""",
    "small-wins-written-down": """\
After the worry window column, a reader wrote to ask what I do on the days when nothing seems to go right. My
honest answer: I write down the small wins.

## The list on the fridge

There's a sheet of paper on my fridge, held up by a magnet shaped like a pineapple. On it I write anything,
however tiny, that went okay that day. Not achievements. Wins.

Some recent entries:

- Answered the phone when my mom called, even though I didn't feel like talking.
- Ate something green.
- Went to the pharmacy and back without getting flustered in the queue.
- Noticed that the jacarandas are out.

On a good day the list looks a bit silly. On a bad day it's a lifeline, because the voice in my head that says
"you never do anything" is simply wrong, and there is the proof, in my own handwriting.

## Why it works, for me

When my mood drops, my memory turns selective. It hangs on to every mistake and quietly deletes everything
else. The list is a way of keeping evidence. It isn't about pretending things are fine. I can be having a
rotten week and still have "washed the dishes" on the list, and both things are true.

## Try it for a week

You don't need a pineapple magnet. A notes app works, or the back of an envelope. Write down three small
things each evening. If three is too many, write one. If one is too many, write "got through today", because
that counts.

## When the list stays empty

Sometimes I go a week or more when the list is hard to fill and everything feels flat and heavy. For me, that
is a signal, not a verdict. It's when I phone my psychiatrist's rooms, tell my partner how I'm really doing,
and look at the lines on [our help page](/help/) so they're there if I need them.

[Pieter: still need a closing line here. Editors, ideas welcome.]
""",
}
