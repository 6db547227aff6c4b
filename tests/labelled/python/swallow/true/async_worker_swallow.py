import asyncio


async def worker(queue, handle):
    while True:
        job = await queue.get()
        try:
            await handle(job)
        except Exception:
            pass
        finally:
            queue.task_done()
