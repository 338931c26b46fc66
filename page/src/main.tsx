import { render } from 'preact';
import { App } from './app.tsx';
import './style.css';

const root = document.getElementById('app')!;
// The loading note is plain HTML, not Preact's to diff: it goes before the page renders.
root.replaceChildren();
render(<App />, root);
